"""The ``moodle-questions`` format's renderer: the course's quizzes as a Moodle question bank.

Two files, for Moodle's two richest question import formats: Moodle XML
(``<id>-questions.xml``) and GIFT (``<id>-questions.gift``). One category per module
(``$course$/top/<course>/<module>``), one question per quiz question:

- one ``[x]`` option: single choice (``multichoice``, ``single`` true), or ``truefalse``
  when the two options are the words for true and false of a built-in language;
- several ``[x]`` options: multiple choice, each correct option worth an equal share,
  each wrong one taking an equal share off (so ticking everything scores nothing);
- ``::: answer``: short answer, the accepted answer at 100 %;
- the question's ``::: solution`` becomes its general feedback.

The bank needs the answers, so the format takes the whole course (teacher material):
it is meant for the teacher who imports it, never for learners.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from casekit import tree as t
from casekit.formats import BuildContext, Output
from casekit.render.common import module_title, short_answer, true_false
from casekit.render.html import HtmlWriter
from casekit.render.page import SinglePageWriter

#: the grades (percent) Moodle accepts for an answer; an import with any other is refused
MOODLE_GRADES = (100, 90, 100 / 1.2, 80, 75, 70, 200 / 3, 60, 50, 40, 100 / 3, 30, 25, 20)
MOODLE_GRADES += (100 / 6, 100 / 7, 12.5, 100 / 9, 10, 5, 0)


@dataclass(frozen=True)
class BankQuestion:
    """One quiz question with where it stands in the course."""

    module: t.Module
    quiz: t.Quiz
    question: t.Question

    @property
    def name(self) -> str:
        title = t.plain_text(self.quiz.title)
        return f"{self.quiz.number}.{self.question.number}" + (f" {title}" if title else "")

    @property
    def idnumber(self) -> str:
        return f"{self.quiz.anchor}-{self.question.number}"[:100]


def bank(course: t.Course) -> list[tuple[t.Module, list[BankQuestion]]]:
    """Every module that has quizzes, with its questions in course order."""
    found = []
    for module in course.modules:
        questions = [
            BankQuestion(module, block, question)
            for lesson in module.lessons
            for block in t.iter_blocks(lesson.blocks)
            if isinstance(block, t.Quiz)
            for question in block.questions
        ]
        if questions:
            found.append((module, questions))
    return found


def grade(share: int) -> float:
    """The Moodle grade nearest to 100/``share`` percent (Moodle refuses other values)."""
    return min(MOODLE_GRADES, key=lambda g: abs(g - 100 / share))


def fraction_text(value: float) -> str:
    """A grade as Moodle's own export writes it: ``33.33333``, ``50``, ``-12.5``."""
    return f"{value:.5f}".rstrip("0").rstrip(".") if value else "0"


def option_fractions(question: t.Question) -> list[float]:
    """The grade of each option: correct ones share 100, in a multiple choice the wrong
    ones share -100."""
    right = sum(bool(o.correct) for o in question.options)
    wrong = len(question.options) - right
    if question.kind == "single":
        return [100.0 if o.correct else 0.0 for o in question.options]
    return [grade(right) if o.correct else -grade(wrong) for o in question.options]


def category_path(course: t.Course, module: t.Module, writer: HtmlWriter) -> str:
    """Moodle's category path; a ``/`` inside a name is written ``//``."""
    names = [course.config.title, module_title(module, writer.msg)]
    return "$course$/top/" + "/".join(name.replace("/", "//") for name in names)


# ------------------------------------------------------------------ Moodle XML


def _text(parent: etree._Element, tag: str, value: str, html: bool = False) -> etree._Element:
    element = etree.SubElement(parent, tag)
    if html:
        element.set("format", "html")
    etree.SubElement(element, "text").text = etree.CDATA(value) if html and value else value
    return element


def moodle_xml(course: t.Course) -> bytes:
    """The course's quizzes as a Moodle XML question bank."""
    writer = SinglePageWriter(course)
    root = etree.Element("quiz")
    for module, questions in bank(course):
        category = etree.SubElement(root, "question", type="category")
        _text(category, "category", category_path(course, module, writer))
        for item in questions:
            root.append(_question_xml(item, writer))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _question_xml(item: BankQuestion, writer: HtmlWriter) -> etree._Element:
    q = item.question
    truth = true_false(q, writer.msg)
    kind = {"single": "multichoice", "multiple": "multichoice", "short": "shortanswer"}[q.kind]
    element = etree.Element("question", type="truefalse" if truth is not None else kind)
    _text(element, "name", item.name)
    _text(element, "questiontext", writer.blocks(q.prompt).strip(), html=True)
    feedback = writer.blocks(q.solution.blocks).strip() if q.solution is not None else ""
    _text(element, "generalfeedback", feedback, html=True)
    etree.SubElement(element, "defaultgrade").text = "1"
    etree.SubElement(element, "penalty").text = "0.3333333" if kind == "multichoice" else "1"
    etree.SubElement(element, "hidden").text = "0"
    etree.SubElement(element, "idnumber").text = item.idnumber
    if truth is not None:
        for value in (True, False):
            answer = etree.SubElement(element, "answer", fraction="100" if value == truth else "0")
            answer.set("format", "moodle_auto_format")
            etree.SubElement(answer, "text").text = "true" if value else "false"
            _text(answer, "feedback", "", html=True)
    elif kind == "multichoice":
        etree.SubElement(element, "single").text = "true" if q.kind == "single" else "false"
        etree.SubElement(element, "shuffleanswers").text = "true"
        etree.SubElement(element, "answernumbering").text = "abc"
        for option, fraction in zip(q.options, option_fractions(q), strict=True):
            answer = _text(element, "answer", writer.inlines(option.children), html=True)
            answer.set("fraction", fraction_text(fraction))
            _text(answer, "feedback", "", html=True)
    else:
        etree.SubElement(element, "usecase").text = "0"
        answer = etree.SubElement(element, "answer", fraction="100")
        answer.set("format", "moodle_auto_format")
        etree.SubElement(answer, "text").text = short_answer(q)
        _text(answer, "feedback", "", html=True)
    return element


# ------------------------------------------------------------------------ GIFT

#: GIFT's reserved characters and how a text writes them (Moodle's own export escapes
#: the backslash first, then these, and writes a line break as ``\n``)
GIFT_ESCAPES = {"\\": "\\\\", "~": "\\~", "=": "\\=", "#": "\\#", "{": "\\{", "}": "\\}"}
GIFT_ESCAPES |= {":": "\\:", "\n": "\\n", "\r": ""}


def gift_escape(text: str) -> str:
    return "".join(GIFT_ESCAPES.get(c, c) for c in text)


def gift(course: t.Course) -> str:
    """The course's quizzes in Moodle's GIFT format."""
    writer = SinglePageWriter(course)
    parts = []
    for module, questions in bank(course):
        path = category_path(course, module, writer)
        parts.append(f"$CATEGORY: {path}\n\n")
        for item in questions:
            parts.append(_question_gift(item, writer))
    return "".join(parts)


def _question_gift(item: BankQuestion, writer: HtmlWriter) -> str:
    q = item.question
    head = f"::{gift_escape(item.name)}::[html]{gift_escape(writer.blocks(q.prompt).strip())}"
    truth = true_false(q, writer.msg)
    if truth is not None:
        answers = ["TRUE" if truth else "FALSE"]
    elif q.options:
        answers = []
        for option, fraction in zip(q.options, option_fractions(q), strict=True):
            text = gift_escape(writer.inlines(option.children))
            if q.kind == "single":
                answers.append(("=" if option.correct else "~") + text)
            else:
                answers.append(f"~%{fraction_text(fraction)}%{text}")
    else:
        answers = ["=" + gift_escape(short_answer(q))]
    if q.solution is not None:
        answers.append("####" + gift_escape(writer.blocks(q.solution.blocks).strip()))
    body = "\n".join(f"\t{a}" for a in answers)
    return f"// {gift_escape(item.idnumber)}\n{head} {{\n{body}\n}}\n\n"


def render_moodle_questions(course: t.Course, ctx: BuildContext) -> list[Output]:
    stem = f"{course.config.id}-questions"
    return [
        Output(f"{stem}.xml", moodle_xml(course)),
        Output(f"{stem}.gift", gift(course).encode("utf-8")),
    ]
