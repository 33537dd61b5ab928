// GPIO: where aspects become lamps.
