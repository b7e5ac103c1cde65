"""The case log's domain: pure rules, no I/O."""
