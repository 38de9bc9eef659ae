"""``--shard K/N`` and ``casekit plan``: N shards built apart give, together, exactly the
files of one unsharded build, each file from one shard only; the split is balanced
and the same however the courses are listed."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from casekit.build.plan import plan_catalogue
from casekit.build.shard import Shard, assign, parse_shard
from casekit.diagnostics import CasekitError
from tests.conftest import COURSES, casekit
from tests.distribution_helpers import catalogue, outputs, quick_flags


def test_parse_shard_accepts_k_of_n_and_refuses_the_rest() -> None:
    assert parse_shard("2/7") == Shard(2, 7)
    for bad in ("0/3", "4/3", "1/0", "2", "a/b", "-1/2", "1/2/3"):
        with pytest.raises(CasekitError, match="not a shard"):
            parse_shard(bad)


class _Unit:
    def __init__(self, key: str, cost: int) -> None:
        self.key, self.cost = key, cost


def test_assign_is_balanced_and_independent_of_the_listing_order() -> None:
    units = [_Unit(f"u{i}", cost) for i, cost in enumerate([9, 7, 6, 5, 5, 4, 3, 3, 2, 1, 1])]
    shards = assign(units, 3)
    assert assign(list(reversed(units)), 3) == shards
    loads = [sum(u.cost for u in units if shards[u.key] == k) for k in (1, 2, 3)]
    assert max(loads) - min(loads) <= 1, loads  # 46 over 3 shards: 15, 15, 16
    assert set(shards.values()) == {1, 2, 3}


def test_a_packaging_job_shares_its_shard_with_what_it_consumes(tmp_path: Path) -> None:
    plan = plan_catalogue(
        catalogue(tmp_path / "courses"), ["usb", "pdf", "html"], ("learner", "teacher"), {}, 5
    )
    for unit in plan.units:
        if any(job.format == "usb" for job in unit.jobs):
            assert {job.key for job in unit.jobs} == {
                "pdf:learner",
                "epub:learner",
                "docx:learner",
                "usb:-",
            }
    keys = [(u.course_id, j.key) for u in plan.units for j in u.jobs]
    assert len(keys) == len(set(keys))  # pdf:learner is in the usb unit only


def test_a_course_stays_on_one_shard_unless_it_is_too_dear_for_one(tmp_path: Path) -> None:
    """Splitting a course costs its check and parse once more per shard: six courses over
    two shards stay whole; two courses over seven shards are split into their units."""
    formats, editions = ["html", "pdf", "epub"], ("learner", "teacher")
    many = tmp_path / "many"
    for index in range(6):
        course = shutil.copytree(COURSES[0], many / f"c{index}")
        toml = course / "course.toml"
        toml.write_text(
            re.sub(r'^id = ".*"', f'id = "c{index}"', toml.read_text("utf-8"), flags=re.M), "utf-8"
        )
    whole = plan_catalogue(many, formats, editions, {}, 2)
    for index in range(6):
        assert len({whole.shards[u.key] for u in whole.units if u.course_id == f"c{index}"}) == 1
    assert set(whole.shards.values()) == {1, 2}
    split = plan_catalogue(catalogue(tmp_path / "two"), formats, editions, {}, 7)
    assert len(set(split.shards.values())) >= 6  # 12 units of 2 courses, dearest first


@pytest.mark.slow
def test_plan_prints_every_job_with_its_shard(tmp_path: Path) -> None:
    courses = catalogue(tmp_path / "courses")
    done = casekit("plan", courses, "--shards", "3", *quick_flags())
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    jobs = {(j["course"], j["format"], j["edition"]): j["shard"] for j in plan["jobs"]}
    assert len(jobs) == 2 * (2 + 2 + 1 + 1)  # two courses: html, brf per edition; cc; moodle
    assert set(jobs.values()) == {1, 2, 3}
    one = json.loads(casekit("plan", courses, "--shard", "2/3", *quick_flags()).stdout)
    assert {(j["course"], j["format"], j["edition"]) for j in one["jobs"]} == {
        job for job, shard in jobs.items() if shard == 2
    }
    bad = casekit("plan", courses, "--shard", "4/3")
    assert bad.returncode == 1 and "not a shard" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.slow
def test_the_union_of_the_shards_is_the_unsharded_build(tmp_path: Path) -> None:
    courses = catalogue(tmp_path / "courses")
    whole = tmp_path / "whole"
    done = casekit("build", courses, "-o", whole, "-j", "1", *quick_flags())
    assert done.returncode == 0, done.stderr
    expected = outputs(whole)
    assert len(expected) > 12
    for count in (1, 2, 3, 7):
        union: dict[str, bytes] = {}
        for index in range(1, count + 1):
            out = tmp_path / f"shard-{index}-of-{count}"
            done = casekit(
                "build",
                courses,
                "--shard",
                f"{index}/{count}",
                "-o",
                out,
                "-j",
                "1",
                *quick_flags(),
            )
            assert done.returncode == 0, done.stderr
            mine = outputs(out)
            assert not set(mine) & set(union), f"{index}/{count} rebuilt another shard's files"
            union.update(mine)
        assert union == expected, count


@pytest.mark.slow
def test_a_sharded_usb_build_has_its_editions_beside_it(tmp_path: Path) -> None:
    courses = catalogue(tmp_path / "courses")
    shutil.rmtree(courses / "job-search-en")
    whole = tmp_path / "whole"
    flags = ["-f", "usb", "-f", "html", "-e", "learner"]
    assert casekit("build", courses, "-o", whole, *flags).returncode == 0
    union: dict[str, bytes] = {}
    for index in (1, 2):
        out = tmp_path / f"shard-{index}"
        done = casekit("build", courses, "--shard", f"{index}/2", "-o", out, *flags)
        assert done.returncode == 0, done.stderr
        union.update(outputs(out))
    assert union == outputs(whole)
