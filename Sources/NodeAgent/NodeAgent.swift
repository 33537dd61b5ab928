// NodeAgent: the pure agent core.
