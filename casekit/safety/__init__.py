"""Handling untrusted input: path containment, bounded source text and parse time, raw HTML, SVG and template active-content checks."""
