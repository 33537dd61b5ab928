// Runtime: thin shells that run the pure cores on real sockets, clocks and GPIO.
