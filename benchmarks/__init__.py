"""Benchmarks of pairing's solver: ``python -m benchmarks`` (see BENCHMARKS.md)."""
