// Posix: the one place where junction talks to the Linux kernel.
//
// Every Glibc call of the project lives in this target behind a small typed
// wrapper. `EINTR` is retried in one helper (`Errno.retryingOnInterrupt`), and
// a failing call becomes a thrown `Errno` that says which call failed.
