"""Project tooling: starting the stack, benchmarks (not part of the assistant)."""
