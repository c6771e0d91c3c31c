"""eval: benchmarks for extraction, drafting and retrieval against hand-labelled fixtures."""
