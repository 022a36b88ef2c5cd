"""Benchmark tools: a synthetic national directory generator and an HTTP load generator."""
