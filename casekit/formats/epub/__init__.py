"""The ``epub`` format: one EPUB 3 per edition."""
