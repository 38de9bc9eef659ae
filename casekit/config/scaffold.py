"""``casekit new``: a small course that passes ``casekit check`` and builds."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from casekit.diagnostics import error

_TEXT = {
    "kk": {
        "title": "Жаңа курс",
        "organisation": "Ұйымның атауы",
        "author": "Автордың аты-жөні",
        "module": "Кіріспе",
        "l1": "Курс туралы",
        "l2": "Алғашқы тапсырма",
        "body": "Бұл сабақ курстың мақсаты мен құрылымын түсіндіреді.",
        "question": "Курс қандай тілде жазылған?",
        "right": "Қазақ тілінде",
        "wrong": "Жапон тілінде",
        "task": "Курстан үйренгіңіз келетін үш нәрсені жазыңыз.",
        "solution": "Кез келген үш нақты мақсат дұрыс жауап болып саналады.",
        "outcome": "Курстың құрылымын түсіндіре алады.",
    },
    "ru": {
        "title": "Новый курс",
        "organisation": "Название организации",
        "author": "ФИО автора",
        "module": "Введение",
        "l1": "О курсе",
        "l2": "Первое задание",
        "body": "Этот урок объясняет цели и устройство курса.",
        "question": "На каком языке написан курс?",
        "right": "На русском",
        "wrong": "На японском",
        "task": "Запишите три вещи, которым вы хотите научиться на этом курсе.",
        "solution": "Верным считается любой ответ с тремя конкретными целями.",
        "outcome": "Может объяснить устройство курса.",
    },
    "uk": {
        "title": "Новий курс",
        "organisation": "Назва організації",
        "author": "Прізвище та ім'я автора",
        "module": "Вступ",
        "l1": "Про курс",
        "l2": "Перше завдання",
        "body": "Цей урок пояснює мету курсу та його будову.",
        "question": "Якою мовою написано курс?",
        "right": "Українською",
        "wrong": "Японською",
        "task": "Запишіть три речі, яких ви хочете навчитися на цьому курсі.",
        "solution": "Правильною вважається будь-яка відповідь із трьома конкретними цілями.",
        "outcome": "Може пояснити будову курсу.",
    },
    "en": {
        "title": "New course",
        "organisation": "Name of the organisation",
        "author": "Author's name",
        "module": "Introduction",
        "l1": "About this course",
        "l2": "A first assignment",
        "body": "This lesson explains what the course is for and how it is organised.",
        "question": "In which language is this course written?",
        "right": "In English",
        "wrong": "In Japanese",
        "task": "Write down three things you want to learn in this course.",
        "solution": "Any answer naming three concrete goals is correct.",
        "outcome": "Can explain how the course is organised.",
    },
}


def placeholder_text(language: str) -> dict[str, str]:
    """The words of a new course in ``language`` (title, organisation, author ...)."""
    return dict(_TEXT[language])


def scaffold(folder: Path, language: str, course_id: str | None = None) -> None:
    """Write a new course into ``folder`` (which must not exist or be empty)."""
    if folder.exists() and any(folder.iterdir()):
        raise error(
            str(folder), "folder exists and is not empty; choose a new folder", "new-not-empty"
        )
    text = _TEXT[language]
    cid = course_id or re.sub(r"[^a-z0-9-]+", "-", folder.name.lower()).strip("-") or "course"
    (folder / "lessons").mkdir(parents=True, exist_ok=True)
    today = dt.date.today().isoformat()
    (folder / "course.toml").write_text(
        f'''id = "{cid}"
title = "{text["title"]}"
language = "{language}"
version = "0.1.0"
date = {today}
organisation = "{text["organisation"]}"
authors = ["{text["author"]}"]
licence = "CC BY-SA 4.0"
credits = 0.1
outcomes = ["{text["outcome"]}"]

[print]
paper = "A4"

[[modules]]
title = "{text["module"]}"
lessons = ["lessons/01-about.md", "lessons/02-first-assignment.md"]
''',
        encoding="utf-8",
    )
    (folder / "lessons" / "01-about.md").write_text(
        f"""---
title: {text["l1"]}
hours: 1
---

::: objectives
- {text["outcome"]}
:::

{text["body"]}

::: quiz
1. {text["question"]}
   - [x] {text["right"]}
   - [ ] {text["wrong"]}
:::

[{text["l2"]}](02-first-assignment.md)
""",
        encoding="utf-8",
    )
    (folder / "lessons" / "02-first-assignment.md").write_text(
        f"""---
title: {text["l2"]}
hours: 2
---

::: assignment
{text["task"]}

::: solution
{text["solution"]}
:::
:::
""",
        encoding="utf-8",
    )
