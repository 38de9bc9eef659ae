"""Breaking a paragraph with mixed fonts into lines: reportlab's result, faster.

A paragraph with bold, italic, code or links is broken into lines by reportlab's
``Paragraph.breakLines`` (its "kind 1" path), the costliest part of laying out a
course: for every word it pops the head of a list, tests for soft hyphens, split
words, images and hyphenation, and looks up measures through several calls.
``break_mixed`` runs the same loop where none of that can happen: no hyphenation
(the course language has no dictionary: Kazakh), no image or ``<br/>``, no text
written right to left, no soft hyphen at a line's end and no word wider than a line
(reportlab then hyphenates or splits it: the whole paragraph is left to reportlab). Words of
text are cut from the fragments in one go (``_text_frag_words``), and a word that
continues the fragment before it only adds its text. The result is reportlab's:
the same lines, fragments, measures and frag words (``tests/test_pdf_linebreak.py``
compares them on every kind of paragraph the writer makes).
"""

from __future__ import annotations

from string import whitespace
from typing import Any

from reportlab.platypus import paragraph as rl

from casekit.formats.pdf.speedups import ascent_descent, same_frag, string_width, widths_in

_TEXT = rl._FK_TEXT
_SHY = rl._shy  # a soft hyphen
#: fragments a word may hold: text, and zero-width markers (an anchor, ``<a name>``)
_KINDS = (rl._FK_TEXT, rl._FK_APPEND)
#: the frag words ``_getFragWords`` makes of text: a word, a word followed by a space,
#: and the same with soft hyphens (left to reportlab where one ends a line)
_PLAIN_WORDS = (list, rl._HSFrag, rl._SHYWord, rl._SHYWordHS)


def _mixed_case(para: Any) -> bool:
    """Whether reportlab would break ``para`` with its several-fragment loop and
    nothing but words to fit (checked again per word: images, breaks, long words)."""
    frags = para.frags
    if not frags or (len(frags) == 1 and not rl._processed_frags(frags)):
        return False  # a paragraph broken before holds its frag words (processed frags)
    style = para.style
    if getattr(style, "hyphenationLang", "") or style.uriWasteReduce:
        return False
    if style.embeddedHyphenation or style.spaceShrinkage or style.shaping:
        return False
    wrap = style.wordWrap
    return not (wrap and wrap.upper() in ("RTL", "LTR", "CJK"))


def break_mixed(para: Any, width: Any) -> Any | None:
    """``para.breakLines(width)`` for a paragraph in several fonts, or ``None`` where
    reportlab's own handling is needed (the caller then calls reportlab's)."""
    if not _mixed_case(para):
        return None
    max_widths = list(width) if isinstance(width, (tuple, list)) else [width]
    rl._handleBulletWidth(para.bulletText, para.style, max_widths)
    frag_words = _text_frag_words(para.frags)
    if frag_words is None:
        frag_words = rl._getFragWords(para.frags, max_widths[0])
    lines = _greedy(frag_words, max_widths, para.style.splitLongWords)
    if lines is None:
        return None
    lines, widest = lines
    if isinstance(width, list):  # reportlab narrows the caller's list for a bullet
        width[:] = max_widths
    para.height = 0
    para._splitLongWordCount = para._hyphenations = 0
    para._width_max = widest
    para.frags = frag_words
    return rl.ParaLines(kind=1, lines=lines)


def _text_frag_words(frags: list[Any]) -> list[Any] | None:
    """``_getFragWords(frags)`` for fragments of text alone, without soft hyphens
    (``None`` for any other: reportlab's to cut into words). reportlab's loop, with
    the words inside a fragment (all but its first and last) made in one go."""
    for frag in frags:
        text = getattr(frag, "text", None)
        if type(text) is not str or _SHY in text:
            return None
        if hasattr(frag, "cbDefn") or hasattr(frag, "lineBreak"):
            return None
    hs_frag = rl._HSFrag
    found: list[Any] = []
    word: list[Any] = []  # reportlab's ``W``: the word being made, maybe over fragments
    width: float = 0  # its width so far (reportlab's ``n``)
    stripping = True  # leading white space of the paragraph is dropped
    for frag in frags:
        text = frag.text
        if text == "":
            continue
        frag._fkind = _TEXT
        if stripping:
            text = rl.lstrip(text)
            if not text:
                continue
            stripping = False
        parts = rl.split(text)
        if text[0] in whitespace or not parts:
            if word:
                word.insert(0, width)
                found.append(word)
                word, width = [], 0
                parts.insert(0, "")
            elif not (found and isinstance(found[-1], hs_frag)):
                parts.insert(0, "")
            elif not parts:
                continue
        known = widths_in(frag.fontName, frag.fontSize)
        measures = list(map(known.get, parts))
        if None in measures:
            measures = [string_width(p, frag.fontName, frag.fontSize) for p in parts]
        if len(parts) > 1:
            word.append((frag, parts[0]))
            word.insert(0, width + measures[0])
            found.append(hs_frag(word))
            inner = zip(measures[1:-1], parts[1:-1], strict=True)
            found.extend([hs_frag((m, (frag, p))) for m, p in inner])
            word, width = [], 0
        word.append((frag, parts[-1]))
        width += measures[-1]
        if text[-1] in whitespace:
            word.insert(0, width)
            found.append(hs_frag(word))
            word, width = [], 0
    if word:
        word.insert(0, width)
        found.append(word)
    if not found and frags:
        frags[0]._fkind = _TEXT
        found = [[0, (frags[0], "")]]
    return found


def _greedy(
    frag_words: list[Any], max_widths: list[float], split_long: Any
) -> tuple[list[Any], float] | None:
    """reportlab's loop (``breakLines``, several fragments) for plain frag words
    (``None`` for any other: reportlab's to break); the names are reportlab's, and so
    is the order in which measures are taken."""
    hs_frag, shy_word = rl._HSFrag, rl._SHYWord
    last = len(max_widths) - 1
    lines: list[Any] = []
    words: list[Any] = []
    lineno = 0
    max_width = max_widths[0]
    widest: float = 0  # reportlab's int until a line is wider
    s_fw = 0
    n = 0
    space_width = current_width = 0.0
    max_size = max_ascent = min_descent = 0.0
    g: Any = None
    #: the fragment ``g`` continues (same font, size, colour, link) when it is also the
    #: next word's, whose measures the line holds already: the word only adds its text
    source: Any = None
    source_space = 0.0
    for index, w in enumerate(frag_words):
        if w[1][0] is source and len(w) == 2:
            new_width = current_width + space_width + w[0] if w[0] > 0 else current_width
            if new_width <= max_width:
                n_text = w[1][1]
                if n_text:
                    n += 1
                g.text += " " + n_text if space_width and not g.text.endswith(" ") else n_text
                space_width = source_space if isinstance(w, hs_frag) else 0
                current_width = new_width
                continue
        # a word that fits and continues ``source`` is the same to reportlab whatever
        # its type; any other must be text
        if type(w) not in _PLAIN_WORDS:
            return None
        for frag, _text in w[1:]:
            if frag._fkind not in _KINDS:
                return None
        f = w[-1][0]
        font_name = f.fontName
        font_size = f.fontSize
        if not words:
            n = 0
            space_width = current_width = 0
            max_size = font_size
            max_ascent, min_descent = ascent_descent(font_name, font_size)
        word_width = w[0]
        f = w[1][0]
        new_width = current_width + space_width + word_width if word_width > 0 else current_width
        if new_width > max_width:
            if not hasattr(f, "cbDefn"):
                if isinstance(w, shy_word):
                    return None  # reportlab breaks it at a soft hyphen
                if split_long and word_width > max_widths[min(lineno, last)]:
                    return None  # a long word: reportlab splits it
            if n > 0:  # the line ends before this word
                if current_width > widest:
                    widest = current_width
                extent = (max_size, max_ascent, min_descent)
                lines.append(_line(words, n, extent, max_width, current_width, s_fw))
                s_fw = index
                lineno += 1
                max_width = max_widths[min(last, lineno)]
                space_width = (
                    string_width(" ", font_name, font_size) if isinstance(w, hs_frag) else 0
                )
                current_width = word_width
                n = 1
                g = f.clone()
                max_size = g.fontSize
                max_ascent, min_descent = ascent_descent(g.fontName, max_size)
                words = [g]
                g.text = w[1][1]
                if len(w) > 2:
                    extent = (max_size, max_ascent, min_descent)
                    g, _some, (max_size, max_ascent, min_descent) = _rest(w, words, extent)
                source, source_space = _continued(w)
                continue
        n_text = w[1][1]
        if n_text:
            n += 1
        font_size = f.fontSize
        ascent, descent = ascent_descent(f.fontName, font_size)
        max_size = max(max_size, font_size)
        max_ascent = max(max_ascent, ascent)
        min_descent = min(min_descent, descent)
        if not words:
            g = f.clone()
            words = [g]
            g.text = n_text
        elif not same_frag(g, f):
            if space_width:
                for previous in reversed(words):
                    if previous._fkind == _TEXT:
                        if not previous.text.endswith(" "):
                            previous.text += " "
                        break
            g = f.clone()
            words.append(g)
            g.text = n_text
        else:
            g.text += " " + n_text if space_width and not g.text.endswith(" ") else n_text
        space_width = string_width(" ", font_name, font_size) if isinstance(w, hs_frag) else 0
        if len(w) > 2:
            extent = (max_size, max_ascent, min_descent)
            g, some_text, (max_size, max_ascent, min_descent) = _rest(w, words, extent)
            if not n_text and some_text:
                n += 1
        current_width = new_width
        source, source_space = _continued(w)
    if words:
        if current_width > widest:
            widest = current_width
        extent = (max_size, max_ascent, min_descent)
        lines.append(_line(words, n, extent, max_width, current_width, s_fw))
    return lines, widest


Extent = tuple[float, float, float]  # a line's font size, ascent and descent so far


def _rest(w: Any, words: list[Any], extent: Extent) -> tuple[Any, bool, Extent]:
    """Copies of the fragments of word ``w`` after its first added to ``words``: the
    last copy, whether any holds text, and the line's extent with theirs."""
    size, ascent, descent = extent
    some_text = False
    g = None
    for frag, text in w[2:]:
        g = frag.clone()
        g.text = text
        if text:
            some_text = True
        words.append(g)
        font_size = g.fontSize
        up, down = ascent_descent(g.fontName, font_size)
        size, ascent, descent = max(size, font_size), max(ascent, up), min(descent, down)
    return g, some_text, (size, ascent, descent)


def _line(words: list[Any], n: int, extent: Extent, max_width: float, width: Any, s_fw: int) -> Any:
    """reportlab's record of a line: its fragments and measures."""
    size, ascent, descent = extent
    return rl.FragLine(
        extraSpace=max_width - width,
        wordCount=n,
        lineBreak=False,
        words=words,
        fontSize=size,
        ascent=ascent,
        descent=descent,
        maxWidth=max_width,
        sFW=s_fw,
    )


def _continued(w: Any) -> tuple[Any, float]:
    """The fragment that ends word ``w`` and the width of a space in it, when the
    fragment the next word continues is that (``None``: a marker, e.g. an anchor)."""
    frag = w[-1][0]
    if hasattr(frag, "cbDefn") or hasattr(frag, "lineBreak"):
        return None, 0.0
    return frag, string_width(" ", frag.fontName, frag.fontSize)
