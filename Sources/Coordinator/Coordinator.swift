// Coordinator: the pure coordinator core.
