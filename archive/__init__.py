"""The archive side of hospital-news: the SQLite store, the command line, export and serving."""
