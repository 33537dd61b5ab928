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

#endif
