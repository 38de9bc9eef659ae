"""Rendering logic shared by the output formats (HTML writer, labels, QR codes)."""
