"""Benchmarks (`make bench`): figures printed and written to docs/, never timed tests."""
