// Simulation: the whole cluster in virtual time, from one seed.
//
// A coordinator (or two), N agents with their own drifting oscillators, and a
// lossy, jittery network carrying the real encoded datagrams run as discrete
// events in virtual nanoseconds. Every random choice comes from one 64-bit
// seed, so a failing run replays exactly. Invariants are checked from outside
// the agents, against true time: what every head actually showed.
