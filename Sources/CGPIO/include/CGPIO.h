// CGPIO: the Linux GPIO character device uAPI v2 (<linux/gpio.h>) for Swift.
//
// Swift imports the structs and flag enums of the header directly, but not the
// ioctl request numbers: `_IOR`/`_IOWR` are function-like macros. The inline
// helpers below hand the numbers over, computed by the C compiler from the
// very same header, so they cannot drift from the kernel ABI.
#ifndef CGPIO_H
#define CGPIO_H
#include <linux/gpio.h>

/// `GPIO_GET_CHIPINFO_IOCTL`: reads a chip's name, label and line count.
static inline unsigned long cgpio_get_chipinfo_ioctl(void) { return GPIO_GET_CHIPINFO_IOCTL; }
/// `GPIO_V2_GET_LINEINFO_IOCTL`: reads one line's name, consumer and flags.
static inline unsigned long cgpio_v2_get_lineinfo_ioctl(void) { return GPIO_V2_GET_LINEINFO_IOCTL; }
/// `GPIO_V2_GET_LINE_IOCTL`: requests lines; the kernel returns a new fd.
static inline unsigned long cgpio_v2_get_line_ioctl(void) { return GPIO_V2_GET_LINE_IOCTL; }
/// `GPIO_V2_LINE_SET_VALUES_IOCTL`: sets the values of requested lines.
static inline unsigned long cgpio_v2_line_set_values_ioctl(void) { return GPIO_V2_LINE_SET_VALUES_IOCTL; }
/// `GPIO_V2_LINE_GET_VALUES_IOCTL`: reads the values of requested lines.
static inline unsigned long cgpio_v2_line_get_values_ioctl(void) { return GPIO_V2_LINE_GET_VALUES_IOCTL; }

/// `GPIO_V2_LINE_SET_CONFIG_IOCTL`: reconfigures requested lines (direction, values).
static inline unsigned long cgpio_v2_line_set_config_ioctl(void) { return GPIO_V2_LINE_SET_CONFIG_IOCTL; }

// The crash guard: what to do to the lamps when the process dies of a fatal
// signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP).
//
// Why C: a signal handler may only call async-signal-safe functions and must
// not allocate, take locks or enter the Swift runtime. Every action is
// prebuilt while the process is healthy (the line values of the shutdown
// aspect, the tail of a recording line) and stored in a fixed table in this
// translation unit; the handler only issues ioctl(2)/write(2) from it, then
// re-raises the signal with its default action (SA_RESETHAND), so the
// process still dies of it, promptly. The table is the one piece of
// process-wide mutable state: a signal handler can reach nothing else.

/// The number of actions the table holds (heads per process).
#define CGPIO_CRASH_SLOTS 8
/// The longest recording tail `cgpio_crash_arm_record` takes.
#define CGPIO_CRASH_TAIL_MAX 240

/// Arms a slot: on a fatal signal, set the requested lines of `fd` to
/// `bits`/`mask` with one GPIO_V2_LINE_SET_VALUES ioctl. Returns the slot, or
/// -1 if the table is full.
int cgpio_crash_arm_lines(int fd, unsigned long long bits, unsigned long long mask);
/// Arms a slot: on a fatal signal, write `{"t":<CLOCK_MONOTONIC_RAW ns>` followed
/// by `tail` (length `length` ≤ CGPIO_CRASH_TAIL_MAX) to `fd` in one write(2).
/// Returns the slot, or -1 if the table is full or the tail too long.
int cgpio_crash_arm_record(int fd, const char *tail, unsigned long length);
/// Frees a slot (before its descriptor is closed).
void cgpio_crash_disarm(int slot);
/// Installs the handler for the fatal signals, and an alternate signal stack
/// for the calling thread (so a stack overflow there still reaches it).
/// Idempotent. Returns 0, or -1 with errno set.
int cgpio_crash_install(void);
/// Runs the armed actions as the handler would, without a signal (tests).
void cgpio_crash_run_actions(void);

#endif
