"""Search over the directory: text normalisation and query backends (PostgreSQL by default)."""
