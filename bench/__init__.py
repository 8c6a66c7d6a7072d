"""Benchmarks: load generators, the floor app, scenarios and the runner (see bench/README.md)."""
