"""Benchmarks that print figures (``tablium bench ...``); never run by the test suite."""
