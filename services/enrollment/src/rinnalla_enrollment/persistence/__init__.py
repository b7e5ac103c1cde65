"""The application's ports answered by PostgreSQL: queries across the event store's streams."""
