"""Shared by notegen's own tests."""

# tests/tinysite/ is a knowledge base of its own (notes, experiments, results):
# its experiments run from that folder, never as part of notegen's test run.
collect_ignore = ["tinysite"]
