"""The words and Word styles the import recognises, in Kazakh, Russian and English.

casekit's own labels come from its message files (so a casekit DOCX maps back);
the synonyms are what methodologists write themselves.
"""

from __future__ import annotations

import re
from functools import cache

from casekit.config.settings import LANGUAGES
from casekit.messages import messages

#: label message keys of boxes -> the div class they become
BOX_LABELS = {
    "note": "note",
    "tip": "tip",
    "warning": "warning",
    "important": "important",
    "callout": "callout",
    "objectives": "objectives",
    "keypoints": "keypoints",
    "solution": "solution",
    "answer": "answer",
    "outcomes": "outcomes",  # the lesson's outcomes: front matter, not a div
}
BOX_SYNONYMS = {
    "note": ("ескерту", "ескертпе", "примечание", "заметка", "note"),
    "tip": ("кеңес", "совет", "подсказка", "hint", "tip"),
    "warning": ("назар аударыңыз", "абайлаңыз", "внимание", "предупреждение", "caution", "warning"),
    "important": ("маңызды", "важно", "important"),
    "solution": ("шешімі", "шешуі", "решение", "solution"),
    "answer": ("жауабы", "жауап", "ответ", "answer"),
}
#: Word table and paragraph style names (lower case, no spaces) -> div class
STYLE_KINDS = {
    "calloutnote": "note",
    "callouttip": "tip",
    "calloutwarning": "warning",
    "calloutimportant": "important",
    "callout": "callout",
    "objectivesbox": "objectives",
    "keypointsbox": "keypoints",
    "solutionbox": "solution",
    "answerbox": "answer",
    "mediacard": "media-card",
    "casekitshaded": "note",  # SHADED_STYLE: a shaded paragraph, as the importer marks it
}
#: the style the importer gives a paragraph drawn as a box by shading (DOCX and ODT)
SHADED_STYLE = "Casekit Shaded"
#: numbered items: message key -> div class, and the synonyms ({number} is the number)
NUMBERED = {"assignment": "assignment", "exercise": "exercise", "quiz": "quiz"}
NUMBERED_SYNONYMS = {
    "assignment": (
        "Тапсырма {number}",
        "{number}-тапсырма",
        "Задание {number}",
        "Assignment {number}",
        "Task {number}",
    ),
    "exercise": (
        "Жаттығу {number}",
        "{number}-жаттығу",
        "Упражнение {number}",
        "Exercise {number}",
    ),
    "quiz": ("Self-check {number}", "Самопроверка {number}", "Тест {number}", "Quiz {number}"),
}
#: paragraph styles casekit writes for words it adds (lesson info, answer lines, the
#: contents): labels, not content, so they are not imported
GENERATED_STYLES = frozenset(
    {
        "lessoninfo",
        "coveredition",
        "coverinfo",
        "answerline",
        "quizinstructions",
        "mediacode",
        "mediahint",
        "tocheading",
        *(f"toc{n}" for n in range(1, 10)),
    }
)
GENERATED_HEADING_CLASSES = frozenset({"Answer-Sheet-Title", "TOC-Heading"})
NUMBER = r"(\d+(?:[.\-]\d+)*)"


def style_key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name).casefold()


def _pattern(template: str) -> str:
    return re.escape(template).replace(re.escape("{number}"), NUMBER)


@cache
def box_words() -> dict[str, str]:
    """A box's title word (case-folded) -> its div class."""
    words: dict[str, str] = {}
    for kind, synonyms in BOX_SYNONYMS.items():
        words.update({w.casefold(): kind for w in synonyms})
    for language in LANGUAGES:
        msg = messages(language)
        words.update({msg(key).casefold(): kind for key, kind in BOX_LABELS.items()})
    for key in STYLE_KINDS:
        words.setdefault(key, STYLE_KINDS[key])
    return words


def box_kind_of_style(style: str) -> str | None:
    key = style_key(style)
    return STYLE_KINDS.get(key) or box_words().get(style.strip().casefold())


@cache
def _task_words() -> dict[str, str]:
    """A task's word (case-folded: "тапсырма", "задание", "exercise" ...) -> its div class:
    the numbered labels without their number, in every language."""
    words: dict[str, str] = {}
    for key, kind in NUMBERED.items():
        if kind == "quiz":
            continue
        templates = {messages(language).table[key] for language in LANGUAGES}
        for template in templates | set(NUMBERED_SYNONYMS[key]):
            word = template.replace("{number}", "").strip(" -.").casefold()
            words[style_key(word)] = kind
    return words


def task_kind_of_style(style: str) -> str | None:
    """The task a paragraph style names ("Тапсырма", "Задание", "Exercise" ...), if any."""
    return _task_words().get(style_key(style))


def split_box_title(text: str) -> tuple[str, str] | None:
    """``"Note: Title"`` -> ("note", "Title"); ``None`` when ``text`` is no box label."""
    head, _, rest = text.partition(":")
    kind = box_words().get(head.strip().rstrip(".").casefold())
    return (kind, rest.strip()) if kind else None


@cache
def _numbered() -> list[tuple[re.Pattern[str], str]]:
    found = []
    for key, kind in NUMBERED.items():
        templates = {messages(language).table[key] for language in LANGUAGES}
        templates.update(NUMBERED_SYNONYMS[key])
        for template in sorted(templates, key=len, reverse=True):
            found.append(
                (re.compile(rf"^{_pattern(template)}\s*[.:)—–-]?\s*(.*)$", re.I | re.S), kind)
            )
    return found


def numbered_item(text: str) -> tuple[str, str] | None:
    """``"Тапсырма 2. Сұрақ"`` -> ("assignment", "Сұрақ"); ``None`` when not numbered."""
    text = text.strip()
    for pattern, kind in _numbered():
        match = pattern.match(text)
        if match:
            return kind, match.group(2).strip()
    return None


@cache
def _caption_labels() -> re.Pattern[str]:
    templates = {
        messages(language).table[key]
        for language in LANGUAGES
        for key in ("figure", "table", "module", "lesson")
    }
    templates.update({"Рисунок {number}", "Таблица {number}", "Сурет {number}", "Кесте {number}"})
    joined = "|".join(_pattern(t) for t in sorted(templates, key=len, reverse=True))
    return re.compile(rf"^(?:{joined})\s*[.:—–-]?\s*", re.I)


def strip_label(text: str) -> str:
    """A caption or module title without casekit's (or Word's) ``Figure 1.2:`` label."""
    return _caption_labels().sub("", text, count=1)


LESSON_NUMBER = re.compile(r"^\d+(?:\.\d+)*\.?\s+")


def strip_number(text: str) -> str:
    """A heading without the ``1.2`` a numbered outline puts before it."""
    return LESSON_NUMBER.sub("", text, count=1)


def study_hours(text: str) -> float | None:
    """``"Study hours: 3"`` (casekit's lesson info, in any language) -> 3.0."""
    for language in LANGUAGES:
        label = messages(language)("hours")
        match = re.match(rf"^{re.escape(label)}\s*:\s*(\d+(?:[.,]\d+)?)", text.strip(), re.I)
        if match:
            return float(match.group(1).replace(",", "."))
    return None
