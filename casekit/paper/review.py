"""Settling the review list: a person decides what the scanner would not guess.

For a question in doubt the person says which options the learner marked (none:
a blank answer); the page is then recorded and graded like any other, the
decision kept with who made it and when. A page that could not be read can only
be set aside (to be scanned again). Decisions come from terminal prompts
(``casekit review``) or from a local HTML page opened from disk, which saves
them to a file for ``casekit review --apply``: a page opened from ``file://``
cannot write to the register itself.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from casekit.diagnostics import error
from casekit.learners.paper_records import REVIEW_PAGE
from casekit.learners.records import Review, Sheet, Submission
from casekit.learners.register import Register
from casekit.messages import Messages
from casekit.paper.answers import WrittenAnswer, answer_figures, written_answers
from casekit.paper.intake import AREA, Intake, layouts_of
from casekit.paper.private_page import image_tag, write_private_page
from casekit.render.common import option_letter
from casekit.scan import reasons
from casekit.sheets.layout import Row

FORMAT = "casekit-review"  # the decisions file's marker


@dataclass(frozen=True)
class Decision:
    review: int
    questions: dict[str, list[int]] = field(default_factory=dict)  # key -> options marked
    set_aside: bool = False


@dataclass(frozen=True)
class Item:
    """An open review with what a person needs to see: the sheet and its doubtful rows."""

    review: Review
    sheet: Sheet | None
    rows: list[Row]  # the rows in doubt, in sheet order

    def label(self, row: Row) -> str:
        return f"{row.quiz}/{row.question}"


def open_items(register: Register) -> list[Item]:
    items = []
    for review in register.reviews():
        sheet = register.sheet(review.sheet) if review.sheet else None
        rows: list[Row] = []
        if sheet is not None and review.doubtful:
            layout = layouts_of(sheet)[review.sheet_page - 1]
            rows = [row for row in layout.rows if row.key in review.doubtful]
        items.append(Item(review, sheet, rows))
    return items


def settle(
    register: Register, item: Item, decision: Decision, by: str, now: dt.datetime
) -> Submission | None:
    """Record a decision: the page's submission with the doubtful questions as
    decided (None when the page is set aside)."""
    review = item.review
    where = f"review {review.id}"
    if not by.strip():
        raise error(where, "say who decides (--by NAME)", "review-who")
    if decision.set_aside:
        register.settle_review(review.id, by, now, {"set_aside": True}, None)
        return None
    if item.sheet is None or not item.rows:
        raise error(where, "this page cannot be read: it can only be set aside", "review-decision")
    if set(decision.questions) != {row.key for row in item.rows}:
        raise error(where, "decide every question in doubt on the page", "review-decision")
    marks = {key: dict(mark) for key, mark in review.reading.items()}
    for row in item.rows:
        chosen = sorted(set(decision.questions[row.key]))
        if any(not 0 <= option < len(row.boxes) for option in chosen):
            raise error(
                where, f"question {item.label(row)} has {len(row.boxes)} options", "review-decision"
            )
        marks[row.key] = {
            **marks[row.key],
            "answer": "answered" if chosen else "blank",
            "chosen": chosen,
        }
    images = crops(review)
    submission = Intake(register, handed_in=review.handed_in).submission(
        item.sheet,
        review.sheet_page,
        marks,
        review.source,
        review.page,
        review.source_sha256,
        images,
        by,
        now,
        review.blank,
    )
    decided = {key: sorted(set(options)) for key, options in decision.questions.items()}
    return register.settle_review(review.id, by, now, {"questions": decided}, submission)


def page_answers(item: Item) -> list[WrittenAnswer]:
    """The written answers on a page waiting for review, each with its question."""
    if item.sheet is None:
        return []
    review = item.review
    return written_answers(item.sheet, review.sheet_page, crops(review), review.blank)


def crops(review: Review) -> dict[str, str]:
    """A review's crops of open-answer areas, by area key."""
    return {k.removeprefix(AREA): v for k, v in review.images.items() if k.startswith(AREA)}


def reason_text(review: Review, msg: Messages) -> str:
    return reasons.texts(reasons.load(review.reason), msg)


def parse_letters(text: str, options: int) -> list[int] | None:
    """``"b"``, ``"a c"``, ``"a,c"`` or ``"-"`` (none) as option indices; None when not valid."""
    text = text.strip().lower().replace(",", " ").replace(")", " ")
    if text == "-":
        return []
    chosen = []
    for part in text.split():
        if len(part) != 1 or not "a" <= part <= chr(ord("a") + options - 1):
            return None
        chosen.append(ord(part) - ord("a"))
    return sorted(set(chosen)) if chosen else None


def read_decisions(path: Path) -> list[Decision]:
    """The decisions saved by the review page."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError("not a casekit review decisions file")
        return [
            Decision(
                review=int(entry["review"]),
                questions={
                    str(k): [int(i) for i in v] for k, v in entry.get("questions", {}).items()
                },
                set_aside=bool(entry.get("set_aside", False)),
            )
            for entry in data["decisions"]
        ]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise error(str(path), f"cannot read the decisions: {exc}", "review-file") from None


def box_words(msg: Messages, states: list[str]) -> str:
    return ", ".join(f"{option_letter(i)} {msg(f'box_{state}')}" for i, state in enumerate(states))


# ---------------------------------------------------------------------- the HTML page


def write_page(register: Register, items: list[Item], msg: Messages) -> Path:
    """The review page, written to the register's own folder (it shows learners'
    pages: personal data). Self-contained: the images are inside it."""
    parts = [f"<p>{escape(msg('review_intro'))}</p>"]
    if not items:
        parts.append(f"<p>{escape(msg('review_nothing'))}</p>")
    for item in items:
        parts.append(_item_html(register, item, msg))
    parts += [
        f'<p><button type="button" id="save">{escape(msg("review_save"))}</button></p>',
        f'<p id="saved" role="status" hidden>{escape(msg("review_saved", file="casekit-review.json"))}</p>',
        f"<script>{SCRIPT}</script>",
    ]
    return write_private_page(register, REVIEW_PAGE, msg, msg("review_title"), parts)


def _item_html(register: Register, item: Item, msg: Messages) -> str:
    review = item.review
    head = escape(msg("review_page", source=review.source, page=review.page))
    out = [f'<section class="item" data-review="{review.id}"><h2>{head}</h2>', "<dl>"]
    if item.sheet is not None:
        course = register.course_version(item.sheet.course_id, item.sheet.course_version)
        if course is not None:
            value = f"{course.title} ({course.course_version})"
            out.append(f"<dt>{escape(msg('course'))}</dt><dd>{escape(value)}</dd>")
        value = f"{item.sheet.id} · {item.sheet.learner} · {item.sheet.heading}"
        out.append(f"<dt>{escape(msg('review_sheet'))}</dt><dd>{escape(value)}</dd>")
    reason = escape(reason_text(review, msg))
    out.append(f"<dt>{escape(msg('review_reason'))}</dt><dd>{reason}</dd></dl>")
    for row in item.rows:
        mark = review.reading[row.key]
        number = item.label(row)
        out.append(
            f'<fieldset class="question" data-key="{escape(row.key)}">'
            f"<legend>{escape(msg('review_question', number=number))}</legend>"
        )
        out.append(image_tag(register, review.images.get(row.key), msg))
        states = list(mark["boxes"])  # type: ignore[call-overload]
        out.append(f"<p>{escape(msg('review_read_as'))}: {escape(box_words(msg, states))}</p>")
        for index in range(len(row.boxes)):
            checked = " checked" if states[index] in ("filled", "crossed") else ""
            out.append(
                f'<label><input type="checkbox" value="{index}"{checked}> '
                f"{escape(option_letter(index))}</label>"
            )
        out.append(f'<p class="hint">{escape(msg("review_none"))}: ∅</p></fieldset>')
    if item.sheet is not None:
        out += answer_figures(register, item.sheet, page_answers(item), msg)
    if not item.rows:
        out.append(image_tag(register, review.images.get("page"), msg))
    out.append(
        f'<p><label><input type="checkbox" class="aside"> {escape(msg("review_set_aside"))}</label></p>'
    )
    out.append("</section>")
    return "\n".join(out)


SCRIPT = """
document.getElementById("save").addEventListener("click", () => {
  const decisions = [];
  for (const item of document.querySelectorAll("section.item")) {
    const review = Number(item.dataset.review);
    if (item.querySelector("input.aside").checked) {
      decisions.push({ review, set_aside: true });
      continue;
    }
    const questions = {};
    for (const question of item.querySelectorAll("fieldset.question")) {
      questions[question.dataset.key] = [...question.querySelectorAll("input:checked")]
        .map((box) => Number(box.value));
    }
    if (Object.keys(questions).length) decisions.push({ review, questions });
  }
  const text = JSON.stringify({ format: "FORMAT", decisions }, null, 1);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  link.download = "casekit-review.json";
  document.body.append(link);
  link.click();
  link.remove();
  document.getElementById("saved").hidden = false;
});
""".replace("FORMAT", FORMAT)
