"""``casekit import``: Word, LibreOffice, HTML and Markdown documents into casekit lessons.

The pipeline: ``source`` vets the file (zip bombs, passwords, macros), ``pandoc``
reads it into pandoc's JSON AST, ``ooxml`` lists what the AST cannot carry (text
boxes, SmartArt, tracked changes, comments, symbol fonts) per paragraph, ``shape``
turns Word's boxes and labelled headings into casekit's elements and splits the
document into lessons, ``markdown`` writes each lesson, ``images`` copies the
pictures into ``media/`` and ``course`` writes the lessons and ``course.toml``.
"""
