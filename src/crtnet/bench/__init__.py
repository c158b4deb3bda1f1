"""Benchmarks (``crtnet bench ...`` / ``make bench``); never part of the test suite.

Each module here exposes ``register(app)`` adding one ``crtnet bench NAME`` command, and
writes its own section of docs/BENCHMARKS.md through ``report.update_section``.
"""
