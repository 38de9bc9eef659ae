"""The ``cc`` format's renderer: an IMS Common Cartridge 1.1 package (``<id>-<version>.imscc``).

Moodle (and most platforms) import CC 1.0/1.1. The cartridge holds:

- ``imsmanifest.xml``: LOM metadata of the course and one organization, modules →
  lessons, each lesson followed by its quizzes;
- ``web_resources/<lesson>.html``: each lesson of the **learner edition** as one page
  written by the shared HTML writer, with its images under ``web_resources/`` (relative
  links between web content, as the CC profile asks);
- ``web_resources/<assignment>.html``: each assignment (CC 1.1 has no assignment type) as
  web content of its own with its instructions, an item after its lesson, so a platform
  lists it as a page a teacher can turn into a graded assignment; the lesson page keeps
  it too, in its place;
- ``<quiz>/assessment.xml``: each quiz as a CC QTI 1.2.1 assessment the platform grades,
  with the images its questions show beside it (``<quiz>/data/media/...``, its associated
  content, reached as ``$IMS-CC-FILEBASE$/data/media/...``).
  Every casekit question kind has a CC profile: single choice → ``multiple_choice``
  (``true_false`` for true/false), multiple choice → ``multiple_response``, short
  answer → ``fib``. The answers are in ``resprocessing`` (the platform needs them to
  grade); the solutions are teacher material and stay out, as does the answers appendix.
"""

from __future__ import annotations

from typing import BinaryIO

from lxml import etree

from casekit import tree as t
from casekit.formats import BuildContext, Output
from casekit.formats.lms import (
    MANIFEST,
    Files,
    images,
    learner_edition,
    lesson_quizzes,
    lms_page,
    write_package,
)
from casekit.messages import Messages
from casekit.render.common import lesson_title, short_answer, true_false
from casekit.render.html import HtmlWriter
from casekit.render.outline import course_outline

CP = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
LOM = "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest"
QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = (
    f"{CP} http://www.imsglobal.org/profile/cc/ccv1p1/ccv1p1_imscp_v1p2_v1p0.xsd "
    f"{LOM} http://www.imsglobal.org/profile/cc/ccv1p1/LOM/ccv1p1_lommanifest_v1p0.xsd"
)
QTI_LOCATION = f"{QTI} http://www.imsglobal.org/profile/cc/ccv1p1/ccv1p1_qtiasiv1p2p1_v1p0.xsd"
ASSESSMENT = "imsqti_xmlv1p2/imscc_xmlv1p1/assessment"
ASSOCIATED = "associatedcontent/imscc_xmlv1p1/learning-application-resource"
WEB = "web_resources"


class CartridgeWriter(HtmlWriter):
    """Lesson pages side by side in ``web_resources/``, images below them."""

    def lesson_href(self, lesson_id: str, anchor: str | None) -> str:
        return f"{lesson_id}.html" + (f"#{anchor}" if anchor else "")


class QtiWriter(CartridgeWriter):
    """Question text inside ``<quiz>/assessment.xml``. ``$IMS-CC-FILEBASE$`` there is the
    quiz's own folder (Moodle joins what follows the token to the assessment file's folder:
    backup/cc/entities.class.php ``update_sources``), so the images a quiz shows are copied
    beside it (``used``: their bundle paths) as its associated content, and lesson pages
    are one folder up."""

    def __init__(self, course: t.Course) -> None:
        super().__init__(course)
        self.used: set[str] = set()

    def image_src(self, item: t.MediaItem) -> str:
        self.used.add(item.bundle_path)
        return f"$IMS-CC-FILEBASE$/{item.bundle_path}"

    def lesson_href(self, lesson_id: str, anchor: str | None) -> str:
        return f"$IMS-CC-FILEBASE$/../{WEB}/" + super().lesson_href(lesson_id, anchor)


def _id(prefix: str, name: str) -> str:
    """An XML ID (an NCName) for ``name``, which may start with a digit."""
    return f"{prefix}_{name}"


class AssignmentWriter(CartridgeWriter):
    """One assignment on a page of its own: what it links to outside itself (footnotes,
    the rest of the lesson) is on its lesson's page."""

    def __init__(self, course: t.Course, lesson: t.Lesson, assignment: t.Assignment) -> None:
        super().__init__(course)
        self.lesson_id = lesson.id
        self.inside = {getattr(b, "anchor", "") for b in t.iter_blocks([assignment])}

    def self_href(self, anchor: str) -> str:
        return f"#{anchor}" if anchor in self.inside else self.lesson_href(self.lesson_id, anchor)


Task = t.Quiz | t.Assignment


def lesson_tasks(lesson: t.Lesson) -> list[Task]:
    """The lesson's quizzes and assignments, in the order they come: each is an item."""
    return [b for b in t.iter_blocks(lesson.blocks) if isinstance(b, Task)]


def task_title(task: Task, msg: Messages) -> str:
    title = t.plain_text(task.title)
    label = msg("quiz" if isinstance(task, t.Quiz) else "assignment", number=task.number)
    return label + (f": {title}" if title else "")


# -------------------------------------------------------------------- manifest


def _lang_string(parent: etree._Element, tag: str, text: str, language: str) -> None:
    element = etree.SubElement(parent, f"{{{LOM}}}{tag}")
    etree.SubElement(element, f"{{{LOM}}}string", language=language).text = text


def _metadata(course: t.Course, parent: etree._Element) -> None:
    config = course.config
    metadata = etree.SubElement(parent, f"{{{CP}}}metadata")
    etree.SubElement(metadata, f"{{{CP}}}schema").text = "IMS Common Cartridge"
    etree.SubElement(metadata, f"{{{CP}}}schemaversion").text = "1.1.0"
    lom = etree.SubElement(metadata, f"{{{LOM}}}lom")
    general = etree.SubElement(lom, f"{{{LOM}}}general")
    _lang_string(general, "title", config.title, config.language)
    etree.SubElement(general, f"{{{LOM}}}language").text = config.language
    if config.subtitle:
        _lang_string(general, "description", config.subtitle, config.language)
    rights = etree.SubElement(lom, f"{{{LOM}}}rights")
    restricted = etree.SubElement(rights, f"{{{LOM}}}copyrightAndOtherRestrictions")
    etree.SubElement(restricted, f"{{{LOM}}}value").text = "yes"
    _lang_string(rights, "description", config.licence, config.language)


def manifest(
    course: t.Course, pages: dict[str, str], images: list[str], quiz_files: dict[str, list[str]]
) -> bytes:
    """``pages``: lesson id or assignment anchor → page path; ``images``: the image paths
    the pages use; ``quiz_files``: quiz anchor → the images copied beside it."""
    msg = HtmlWriter(course).msg
    root = etree.Element(f"{{{CP}}}manifest", nsmap={None: CP, "lomimscc": LOM, "xsi": XSI})
    root.set("identifier", _id("M", course.config.id))
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    _metadata(course, root)
    organizations = etree.SubElement(root, f"{{{CP}}}organizations")
    organization = etree.SubElement(
        organizations, f"{{{CP}}}organization", identifier="O_1", structure="rooted-hierarchy"
    )
    top = etree.SubElement(organization, f"{{{CP}}}item", identifier="I_root")
    resources = etree.SubElement(root, f"{{{CP}}}resources")
    for part in course_outline(course, msg).parts:
        section = etree.SubElement(top, f"{{{CP}}}item", identifier=_id("I", part.module.id))
        etree.SubElement(section, f"{{{CP}}}title").text = part.title
        for lesson in part.lessons:
            _item(section, _id("I", lesson.id), _id("R", lesson.id), lesson_title(lesson))
            _page_resource(resources, _id("R", lesson.id), pages[lesson.id], images)
            for task in lesson_tasks(lesson):
                _item(section, _id("I", task.anchor), _id("R", task.anchor), task_title(task, msg))
                if isinstance(task, t.Assignment):
                    _page_resource(resources, _id("R", task.anchor), pages[task.anchor], images)
                    continue
                resource = etree.SubElement(
                    resources,
                    f"{{{CP}}}resource",
                    identifier=_id("R", task.anchor),
                    type=ASSESSMENT,
                )
                etree.SubElement(resource, f"{{{CP}}}file", href=f"{task.anchor}/assessment.xml")
                if quiz_files[task.anchor]:
                    files = _id("F", task.anchor)
                    etree.SubElement(resource, f"{{{CP}}}dependency", identifierref=files)
                    associated = etree.SubElement(
                        resources, f"{{{CP}}}resource", identifier=files, type=ASSOCIATED
                    )
                    for path in quiz_files[task.anchor]:
                        etree.SubElement(associated, f"{{{CP}}}file", href=path)
    if images:
        media = etree.SubElement(
            resources, f"{{{CP}}}resource", identifier="R_media", type="webcontent"
        )
        for path in images:
            etree.SubElement(media, f"{{{CP}}}file", href=path)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _page_resource(
    resources: etree._Element, identifier: str, page: str, images: list[str]
) -> None:
    resource = etree.SubElement(
        resources, f"{{{CP}}}resource", identifier=identifier, type="webcontent", href=page
    )
    etree.SubElement(resource, f"{{{CP}}}file", href=page)
    if images:
        etree.SubElement(resource, f"{{{CP}}}dependency", identifierref="R_media")


def _item(parent: etree._Element, identifier: str, ref: str, title: str) -> None:
    item = etree.SubElement(parent, f"{{{CP}}}item", identifier=identifier, identifierref=ref)
    etree.SubElement(item, f"{{{CP}}}title").text = title


# ------------------------------------------------------------------------- QTI


def _field(parent: etree._Element, label: str, entry: str) -> None:
    field = etree.SubElement(parent, f"{{{QTI}}}qtimetadatafield")
    etree.SubElement(field, f"{{{QTI}}}fieldlabel").text = label
    etree.SubElement(field, f"{{{QTI}}}fieldentry").text = entry


def _material(parent: etree._Element, html: str) -> None:
    material = etree.SubElement(parent, f"{{{QTI}}}material")
    etree.SubElement(material, f"{{{QTI}}}mattext", texttype="text/html").text = html


def assessment(quiz: t.Quiz, title: str, writer: HtmlWriter) -> bytes:
    """``quiz`` (with its answers marked) as a CC QTI 1.2.1 assessment."""
    root = etree.Element(f"{{{QTI}}}questestinterop", nsmap={None: QTI, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", QTI_LOCATION)
    test = etree.SubElement(root, f"{{{QTI}}}assessment", ident=_id("A", quiz.anchor), title=title)
    metadata = etree.SubElement(test, f"{{{QTI}}}qtimetadata")
    _field(metadata, "cc_profile", "cc.exam.v0p1")
    _field(metadata, "qmd_assessmenttype", "Examination")
    _field(metadata, "cc_maxattempts", "unlimited")
    section = etree.SubElement(test, f"{{{QTI}}}section", ident=_id("S", quiz.anchor))
    if quiz.intro:
        _material(section, writer.blocks(quiz.intro).strip())
    for question in quiz.questions:
        section.append(_question(quiz, question, writer))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _profile(question: t.Question, msg: Messages) -> str:
    if question.kind == "short":
        return "cc.fib.v0p1"
    if true_false(question, msg) is not None:
        return "cc.true_false.v0p1"
    return "cc.multiple_choice.v0p1" if question.kind == "single" else "cc.multiple_response.v0p1"


def _question(quiz: t.Quiz, question: t.Question, writer: HtmlWriter) -> etree._Element:
    ident = _id("Q", f"{quiz.anchor}-{question.number}")
    item = etree.Element(f"{{{QTI}}}item", ident=ident, title=f"{quiz.number}.{question.number}")
    metadata = etree.SubElement(
        etree.SubElement(item, f"{{{QTI}}}itemmetadata"), f"{{{QTI}}}qtimetadata"
    )
    _field(metadata, "cc_profile", _profile(question, writer.msg))
    _field(metadata, "cc_weighting", "1")
    presentation = etree.SubElement(item, f"{{{QTI}}}presentation")
    _material(presentation, writer.blocks(question.prompt).strip())
    processing = etree.SubElement(item, f"{{{QTI}}}resprocessing")
    outcomes = etree.SubElement(processing, f"{{{QTI}}}outcomes")
    etree.SubElement(
        outcomes,
        f"{{{QTI}}}decvar",
        varname="SCORE",
        vartype="Decimal",
        minvalue="0",
        maxvalue="100",
    )
    condition = etree.SubElement(processing, f"{{{QTI}}}respcondition", attrib={"continue": "No"})
    test = etree.SubElement(condition, f"{{{QTI}}}conditionvar")
    if question.kind == "short":
        response = etree.SubElement(
            presentation, f"{{{QTI}}}response_str", ident="response1", rcardinality="Single"
        )
        fib = etree.SubElement(response, f"{{{QTI}}}render_fib")
        etree.SubElement(fib, f"{{{QTI}}}response_label", ident="answer1")
        etree.SubElement(
            test, f"{{{QTI}}}varequal", respident="response1", case="No"
        ).text = short_answer(question)
    else:
        cardinality = "Single" if question.kind == "single" else "Multiple"
        response = etree.SubElement(
            presentation, f"{{{QTI}}}response_lid", ident="response1", rcardinality=cardinality
        )
        choices = etree.SubElement(response, f"{{{QTI}}}render_choice")
        labels = [f"{ident}_{index}" for index in range(1, len(question.options) + 1)]
        for label, option in zip(labels, question.options, strict=True):
            choice = etree.SubElement(choices, f"{{{QTI}}}response_label", ident=label)
            _material(choice, writer.inlines(option.children))
        if question.kind == "multiple":
            test = etree.SubElement(test, f"{{{QTI}}}and")
        for label, option in zip(labels, question.options, strict=True):
            if option.correct:
                etree.SubElement(test, f"{{{QTI}}}varequal", respident="response1").text = label
            elif question.kind == "multiple":
                wrong = etree.SubElement(test, f"{{{QTI}}}not")
                etree.SubElement(wrong, f"{{{QTI}}}varequal", respident="response1").text = label
    etree.SubElement(condition, f"{{{QTI}}}setvar", varname="SCORE", action="Set").text = "100"
    return item


# --------------------------------------------------------------------- package


def cartridge(full: t.Course) -> Files:
    """The ``.imscc`` files: learner pages, and quizzes graded from the full course."""
    learner = learner_edition(full)
    writer = CartridgeWriter(learner)
    files = images(learner, WEB)
    shown = sorted(files)
    pages: dict[str, str] = {}
    quiz_files: dict[str, list[str]] = {}
    for module in learner.modules:
        for lesson in module.lessons:
            pages[lesson.id] = f"{WEB}/{lesson.id}.html"
            body = writer.lesson(lesson, level=1)
            files[pages[lesson.id]] = lms_page(learner, lesson_title(lesson), body)
            for task in lesson_tasks(lesson):
                if isinstance(task, t.Assignment):
                    pages[task.anchor] = f"{WEB}/{task.anchor}.html"
                    page_writer = AssignmentWriter(learner, lesson, task)
                    page_writer.lesson_level = 0  # the assignment's title is the page's h1
                    title = task_title(task, writer.msg)
                    html = page_writer.block_assignment(task)
                    files[pages[task.anchor]] = lms_page(learner, title, html)
    for module in full.modules:
        for lesson in module.lessons:
            for quiz in lesson_quizzes(lesson):
                quiz_writer = QtiWriter(full)
                title = task_title(quiz, quiz_writer.msg)
                files[f"{quiz.anchor}/assessment.xml"] = assessment(quiz, title, quiz_writer)
                quiz_files[quiz.anchor] = [
                    f"{quiz.anchor}/{path}" for path in sorted(quiz_writer.used)
                ]
                for path in quiz_writer.used:
                    files[f"{quiz.anchor}/{path}"] = files[f"{WEB}/{path}"]
    files[MANIFEST] = manifest(learner, pages, shown, quiz_files)
    return files


def render_cc(course: t.Course, ctx: BuildContext) -> list[Output]:
    """The cartridge, written as the build writes its file (its images streamed in)."""

    def write(out: BinaryIO) -> None:
        write_package(course, cartridge(course), out)

    return [Output(f"{course.config.id}-{course.config.version}.imscc", write=write)]
