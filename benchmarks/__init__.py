"""Benchmarks: each module has ``run() -> list[row]``; ``python -m benchmarks`` prints them."""
