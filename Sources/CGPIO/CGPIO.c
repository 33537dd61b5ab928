#include "CGPIO.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

enum { SLOT_FREE = 0, SLOT_FILLING = 1, SLOT_ARMED = 2 };
enum { KIND_LINES = 1, KIND_RECORD = 2 };

struct crash_slot {
    int state;  // accessed with __atomic builtins
    int kind;
    int fd;
    struct gpio_v2_line_values values;
    char tail[CGPIO_CRASH_TAIL_MAX];
    unsigned long tail_length;
};

static struct crash_slot slots[CGPIO_CRASH_SLOTS];
static int installed;
static char alternate_stack[64 * 1024];
static const int fatal_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP };

/// Claims a free slot for filling, or -1.
static int claim(void) {
    for (int i = 0; i < CGPIO_CRASH_SLOTS; i++) {
        int expected = SLOT_FREE;
        if (__atomic_compare_exchange_n(&slots[i].state, &expected, SLOT_FILLING, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            return i;
        }
    }
    return -1;
}

int cgpio_crash_arm_lines(int fd, unsigned long long bits, unsigned long long mask) {
    int i = claim();
    if (i < 0) return -1;
    slots[i].kind = KIND_LINES;
    slots[i].fd = fd;
    slots[i].values.bits = bits;
    slots[i].values.mask = mask;
    __atomic_store_n(&slots[i].state, SLOT_ARMED, __ATOMIC_RELEASE);
    return i;
}

int cgpio_crash_arm_record(int fd, const char *tail, unsigned long length) {
    if (length > CGPIO_CRASH_TAIL_MAX) return -1;
    int i = claim();
    if (i < 0) return -1;
    slots[i].kind = KIND_RECORD;
    slots[i].fd = fd;
    memcpy(slots[i].tail, tail, length);
    slots[i].tail_length = length;
    __atomic_store_n(&slots[i].state, SLOT_ARMED, __ATOMIC_RELEASE);
    return i;
}

void cgpio_crash_disarm(int slot) {
    if (slot < 0 || slot >= CGPIO_CRASH_SLOTS) return;
    __atomic_store_n(&slots[slot].state, SLOT_FREE, __ATOMIC_RELEASE);
}

/// Writes `{"t":<now>` + tail in one write(2); only async-signal-safe calls.
static void write_record(const struct crash_slot *slot) {
    char line[32 + CGPIO_CRASH_TAIL_MAX];
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    uint64_t nanos = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    char digits[24];
    int n = 0;
    do { digits[n++] = (char)('0' + nanos % 10); nanos /= 10; } while (nanos > 0 && n < 24);
    unsigned long length = 0;
    const char *head = "{\"t\":";
    while (*head) line[length++] = *head++;
    while (n > 0) line[length++] = digits[--n];
    for (unsigned long k = 0; k < slot->tail_length; k++) line[length++] = slot->tail[k];
    ssize_t written;
    do { written = write(slot->fd, line, length); } while (written < 0 && errno == EINTR);
}

void cgpio_crash_run_actions(void) {
    for (int i = 0; i < CGPIO_CRASH_SLOTS; i++) {
        if (__atomic_load_n(&slots[i].state, __ATOMIC_ACQUIRE) != SLOT_ARMED) continue;
        if (slots[i].kind == KIND_LINES) {
            struct gpio_v2_line_values values = slots[i].values;
            ioctl(slots[i].fd, GPIO_V2_LINE_SET_VALUES_IOCTL, &values);
        } else if (slots[i].kind == KIND_RECORD) {
            write_record(&slots[i]);
        }
    }
}

static void on_fatal_signal(int signal, siginfo_t *info, void *context) {
    (void)info;
    (void)context;
    int saved = errno;
    cgpio_crash_run_actions();
    errno = saved;
    // SA_RESETHAND has restored the default action: the re-raised signal
    // (pending until this handler returns) ends the process with it. A
    // hardware fault would also recur on return and end it the same way.
    raise(signal);
}

int cgpio_crash_install(void) {
    if (__atomic_exchange_n(&installed, 1, __ATOMIC_ACQ_REL)) return 0;
    stack_t stack;
    memset(&stack, 0, sizeof stack);
    stack.ss_sp = alternate_stack;
    stack.ss_size = sizeof alternate_stack;
    if (sigaltstack(&stack, NULL) != 0) return -1;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_fatal_signal;
    action.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (unsigned k = 0; k < sizeof fatal_signals / sizeof fatal_signals[0]; k++) {
        if (sigaction(fatal_signals[k], &action, NULL) != 0) return -1;
    }
    return 0;
}
