"""Resolving a parsed course: anchors, numbers, media, transcripts, links; and edition filtering."""
