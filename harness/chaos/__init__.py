"""`tandem chaos`: the soak test (`soak`), the processes it starts and kills (`roles`), and the
forged envelopes an attacker on the broker could send (`forgeries`)."""
