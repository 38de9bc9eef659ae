"""Parsing lesson Markdown into the document tree."""
