"""The case log's use cases: load, decide, append."""
