"""The case log's ports implemented over PostgreSQL."""
