"""Benchmarks: a generator of French news articles and the throughput/memory/cache benchmark (``make bench``)."""
