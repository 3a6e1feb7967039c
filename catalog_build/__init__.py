"""Turns the procedure catalogue's source data into Markdown, exports and a search index."""
