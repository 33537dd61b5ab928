// JunctionCore: the pure model every other part of junction stands on.
//
// A signal plan says, for any instant of the coordinator's timebase, what every
// signal group of every junction shows. Everything here is a value: no clock is
// read, no file is opened, no random number is drawn. Time is integer
// nanoseconds so that a timeline computed after days of running is still exact.
