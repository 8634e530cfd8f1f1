"""probgraph's benchmarks: figures printed (and saved as JSON), never asserted in tests."""
