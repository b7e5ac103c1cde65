"""The case log's read models."""
