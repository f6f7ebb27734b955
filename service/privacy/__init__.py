"""Privacy: what Sidenote keeps about a person, their requests (export, erasure) and retention."""
