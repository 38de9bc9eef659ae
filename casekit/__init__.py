"""casekit: build offline case packages from a course written in Markdown."""

__version__ = "0.1.0"
