"""Benchmarks, run as ``python -m bench NAME``; results are recorded in bench/README.md."""
