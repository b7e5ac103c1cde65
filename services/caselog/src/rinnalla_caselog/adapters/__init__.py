"""The case log's HTTP edge."""
