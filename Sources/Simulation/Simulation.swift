// Simulation: the whole cluster in virtual time, from one seed.
