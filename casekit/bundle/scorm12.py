"""The ``scorm12`` format's renderer: a SCORM 1.2 package (``<id>-<version>-scorm12.zip``).

The package is the offline viewer of the USB bundle (``index.html``: navigation, search,
open by code, players for the course's video and audio) for the learner edition, and one
SCO per lesson (or one for the whole course with ``[scorm] one_sco = true``) launched as
``index.html?sco=<id>``. casekit's own runtime, ``casekit-scorm.js``, finds the LMS's
``API``, opens the SCO's first lesson or resumes at the learner's bookmark
(``cmi.core.lesson_location``), and reports the status and the quiz score. The answers
it checks against come from the full course, in ``scorm.js`` (a SCO that scores itself
carries its answers; solutions stay out). No third-party runtime, no network.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from casekit import tree as t
from casekit.bundle import VIEWER_ASSETS
from casekit.bundle.viewer import viewer_files
from casekit.files.atomic import TEMP_PREFIX
from casekit.formats import BuildContext, Output
from casekit.formats.lms import (
    MANIFEST,
    Files,
    learner_edition,
    lesson_quizzes,
    write_package,
)
from casekit.render.av_metadata import stripped_file
from casekit.render.common import lesson_title, module_title, short_answer
from casekit.render.html import HtmlWriter
from casekit.render.images import write_image
from casekit.render.templates import builtin_templates

CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = (
    f"{CP} imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 "
    f"imsmd_rootv1p2p1.xsd {ADLCP} adlcp_rootv1p2.xsd"
)
LAUNCH = "index.html"
RUNTIME = f"{VIEWER_ASSETS}/casekit-scorm.js"
DATA = f"{VIEWER_ASSETS}/scorm.js"


def answer_key(quizzes: list[t.Quiz]) -> dict[str, list[object]]:
    """What the runtime checks: per quiz anchor, each question's right option indices
    (and kind), or the short answer's text."""
    key: dict[str, list[object]] = {}
    for quiz in quizzes:
        key[quiz.anchor] = [
            short_answer(q)
            if q.kind == "short"
            else {"kind": q.kind, "right": [i for i, o in enumerate(q.options) if o.correct]}
            for q in quiz.questions
        ]
    return key


@dataclass(frozen=True)
class Sco:
    id: str  # the launch parameter; R_<id> in the manifest
    title: str
    lessons: list[t.Lesson]  # the full course's, with their answers

    @property
    def quizzes(self) -> list[t.Quiz]:
        return [quiz for lesson in self.lessons for quiz in lesson_quizzes(lesson)]


def scos(full: t.Course) -> list[tuple[t.Module | None, list[Sco]]]:
    """The SCOs by module, or one SCO (module None) with ``one_sco``."""
    if full.config.scorm.one_sco:
        return [(None, [Sco("course", full.config.title, full.lessons())])]
    return [
        (module, [Sco(lesson.id, lesson_title(lesson), [lesson]) for lesson in module.lessons])
        for module in full.modules
    ]


def runtime_data(full: t.Course, by_module: list[tuple[t.Module | None, list[Sco]]]) -> bytes:
    """``scorm.js``: the answers, the pass mark, the labels and what each SCO holds."""
    msg = HtmlWriter(full).msg
    every = [sco for _, group in by_module for sco in group]
    data = {
        "key": answer_key([quiz for sco in every for quiz in sco.quizzes]),
        "mastery": full.config.scorm.mastery_score,
        "labels": {
            "check": msg("check_answers"),
            "result": msg("score_result", correct="{correct}", total="{total}"),
        },
        "scos": {
            sco.id: {
                "lessons": [lesson.anchor for lesson in sco.lessons],
                "quizzes": [quiz.anchor for quiz in sco.quizzes],
            }
            for sco in every
        },
    }
    text = json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return f"window.CASEKIT_SCORM = {text};\n".encode("ascii")


def manifest(
    course: t.Course, by_module: list[tuple[t.Module | None, list[Sco]]], assets: list[str]
) -> bytes:
    msg = HtmlWriter(course).msg
    root = etree.Element(f"{{{CP}}}manifest", nsmap={None: CP, "adlcp": ADLCP, "xsi": XSI})
    root.set("identifier", f"M_{course.config.id}")
    root.set("version", course.config.version[:20])
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    metadata = etree.SubElement(root, f"{{{CP}}}metadata")
    etree.SubElement(metadata, f"{{{CP}}}schema").text = "ADL SCORM"
    etree.SubElement(metadata, f"{{{CP}}}schemaversion").text = "1.2"
    organizations = etree.SubElement(root, f"{{{CP}}}organizations", default="O_1")
    organization = etree.SubElement(organizations, f"{{{CP}}}organization", identifier="O_1")
    etree.SubElement(organization, f"{{{CP}}}title").text = course.config.title
    resources = etree.SubElement(root, f"{{{CP}}}resources")
    for module, module_scos in by_module:
        parent = organization
        if module is not None:
            parent = etree.SubElement(organization, f"{{{CP}}}item", identifier=f"I_{module.id}")
            etree.SubElement(parent, f"{{{CP}}}title").text = module_title(module, msg)
        for sco in module_scos:
            item = etree.SubElement(
                parent, f"{{{CP}}}item", identifier=f"I_{sco.id}", identifierref=f"R_{sco.id}"
            )
            etree.SubElement(item, f"{{{CP}}}title").text = sco.title
            if sco.quizzes:
                etree.SubElement(item, f"{{{ADLCP}}}masteryscore").text = str(
                    course.config.scorm.mastery_score
                )
            resource = etree.SubElement(
                resources,
                f"{{{CP}}}resource",
                identifier=f"R_{sco.id}",
                type="webcontent",
                href=f"{LAUNCH}?sco={sco.id}",
            )
            resource.set(f"{{{ADLCP}}}scormtype", "sco")
            etree.SubElement(resource, f"{{{CP}}}file", href=LAUNCH)
            etree.SubElement(resource, f"{{{CP}}}dependency", identifierref="R_common")
    common = etree.SubElement(
        resources, f"{{{CP}}}resource", identifier="R_common", type="webcontent"
    )
    common.set(f"{{{ADLCP}}}scormtype", "asset")
    for path in assets:
        etree.SubElement(common, f"{{{CP}}}file", href=path)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def package_files(full: t.Course, av_folder: Path) -> Files:
    """Every file of the package: the viewer of the learner edition with the runtime,
    its pictures, and its video and audio (without metadata); the audio, video and the
    viewer's page and search data are written into ``av_folder`` and streamed when
    zipped."""
    learner = learner_edition(full)
    by_module = scos(full)
    extra = {
        DATA: runtime_data(full, by_module),
        RUNTIME: (builtin_templates() / "scorm" / "casekit-scorm.js").read_bytes(),
    }
    files: Files = {
        **viewer_files(learner, [], extra_scripts=extra, verifier=False, folder=av_folder)
    }
    root = Path(learner.root)
    for item in learner.media:
        if item.kind == "image":  # written from its file when zipped
            files[item.bundle_path] = partial(write_image, root, item)
        else:
            files[item.bundle_path] = stripped_file(root, item, av_folder)
    assets = sorted(set(files) - {LAUNCH})
    files[MANIFEST] = manifest(learner, by_module, assets)
    return files


def render_scorm12(course: t.Course, ctx: BuildContext) -> list[Output]:
    def write(out: BinaryIO) -> None:
        # stripped video and audio wait beside the outputs (a tmpfs /tmp is memory);
        # a killed build's leftover is removed by the next build
        ctx.build_root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX, dir=ctx.build_root) as folder:
            write_package(course, package_files(course, Path(folder)), out)

    return [Output(f"{course.config.id}-{course.config.version}-scorm12.zip", write=write)]
