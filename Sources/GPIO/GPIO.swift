// GPIO: where aspects become lamps.
//
// A `LightOutput` shows one signal head. The real one drives LEDs through the
// Linux GPIO character device (uAPI v2, `/dev/gpiochipN`); the others record
// aspects to a file, draw them on a terminal or keep them in memory for tests.
// The ioctls sit behind the internal `GPIODevice` protocol so that the whole
// character-device path runs in tests without a GPIO chip.
