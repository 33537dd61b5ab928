// Protocol: the junction wire format, pure Swift with no Glibc.
