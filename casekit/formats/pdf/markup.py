"""reportlab's paragraph markup for the tags the writer uses most, read without
``html.parser``.

reportlab's ``ParaParser`` is an ``HTMLParser``: its regular expressions cost about
150 µs per paragraph with inline markup, most of the time spent building a page's
flowables. Markup made only of text, entity and character references and the tags
the writer writes (``b i u strike super sub br a font``, attributes double-quoted) is
cut into the events ``HTMLParser`` would give and handed to a ``ParaParser``'s own
handlers, so the fragments are the parser's; anything else is left to the parser.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from reportlab.platypus.paraparser import ParaParser

#: a tag the writer writes (attributes double-quoted), an entity or character reference
#: ``escape`` writes, or text; a tag's name and attributes are read as ``HTMLParser``
#: reads them (lower case, values unescaped)
_TOKEN = re.compile(
    r'<(/?)(b|i|u|strike|super|sub|br|a|font)((?:\s+[a-zA-Z]+="[^"<>]*")*)\s*(/?)>'
    r"|&([a-zA-Z][-.a-zA-Z0-9]*);|&#([0-9]+|[xX][0-9a-fA-F]+);|([^<&]+)"
)
_ATTRIBUTE = re.compile(r'([a-zA-Z]+)="([^"<>]*)"')


def parsed_frags(text: str, style: Any, case_sensitive: int) -> list[Any] | None:
    """The fragments ``ParaParser`` makes of ``text``, or None when ``text`` holds
    markup this reader leaves to the parser (or markup the parser would refuse)."""
    parser = ParaParser()
    parser.caseSensitive = case_sensitive
    parser._setup_for_parse(style)
    try:
        parser.handle_starttag("para", [])
        pos, end = 0, len(text)
        while pos < end:
            match = _TOKEN.match(text, pos)
            if match is None:
                return None
            closing, tag, attributes, self_closing, entity, number, data = match.groups()
            if data is not None:
                parser.handle_data(data)
            elif entity is not None:
                parser.handle_entityref(entity)
            elif number is not None:
                parser.handle_charref(number)
            elif closing:
                if attributes or self_closing:
                    return None
                parser.handle_endtag(tag)
            else:
                found = [(k.lower(), unescape(v)) for k, v in _ATTRIBUTE.findall(attributes)]
                if self_closing:
                    parser.handle_startendtag(tag, found)
                else:
                    parser.handle_starttag(tag, found)
            pos = match.end()
        parser.handle_endtag("para")
        _style, frags, bullet_frags = parser._complete_parse()
    except Exception:  # unbalanced tags: the parser's own error message, from the parser
        return None
    if parser.errors or frags is None or bullet_frags:
        return None
    return frags
