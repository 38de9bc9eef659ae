"""``casekit packets --all-groups --shard K/N``: the groups of a course dealt out to N
machines; together the shards make exactly the packets of one run over every group,
and ``casekit plan --packets`` shows the same split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import COURSES
from tests.distribution_helpers import outputs
from tests.learners_helpers import ROSTER, casekit, write_roster

pytestmark = pytest.mark.slow  # renders a course body per group

COURSE = next(course for course in COURSES if course.name == "job-search-en")
GROUPS = ["G1", "G2", "G3"]


def test_the_shards_of_all_groups_make_every_packet_once(tmp_path: Path) -> None:
    register = str(tmp_path / "register.sqlite")
    rows = [*ROSTER, "KZ-020;Сейітов;Арман;;G3;UK-161;", "KZ-021;Ли;Анна;;G3;UK-161;"]
    assert (
        casekit(
            "learners", "import", str(write_roster(tmp_path / "r.csv", rows)), register=register
        ).returncode
        == 0
    )
    for group in GROUPS:
        enrolled = casekit(
            "enrol",
            str(COURSE),
            "--group",
            group,
            "--start",
            "2027-01-11",
            "--hours-per-week",
            "6",
            register=register,
        )
        assert enrolled.returncode == 0, enrolled.stderr
    date = ["--date", "2027-01-08"]
    whole = casekit(
        "packets",
        str(COURSE),
        "--all-groups",
        "-o",
        str(tmp_path / "all"),
        *date,
        register=register,
    )
    assert whole.returncode == 0, whole.stderr
    expected = outputs(tmp_path / "all")
    assert {path.split("/")[1] for path in expected} == set(GROUPS)
    plan = json.loads(
        casekit("plan", str(COURSE), "--packets", "--shards", "2", register=register).stdout
    )
    assert {(j["group"], j["learners"]) for j in plan["jobs"]} == {("G1", 3), ("G2", 1), ("G3", 2)}
    for count in (2, 3):
        union: dict[str, bytes] = {}
        for index in range(1, count + 1):
            out = tmp_path / f"{index}-of-{count}"
            made = casekit(
                "packets",
                str(COURSE),
                "--all-groups",
                "--shard",
                f"{index}/{count}",
                "-o",
                str(out),
                *date,
                register=register,
            )
            assert made.returncode == 0, made.stderr
            mine = outputs(out) if out.exists() else {}
            assert not set(mine) & set(union)
            union.update(mine)
            if count == 2:
                groups = {path.split("/")[1] for path in mine}
                assert groups == {j["group"] for j in plan["jobs"] if j["shard"] == index}
        assert union == expected, count


def test_shard_needs_all_groups(tmp_path: Path) -> None:
    register = str(tmp_path / "register.sqlite")
    done = casekit("packets", str(COURSE), "--group", "G1", "--shard", "1/2", register=register)
    assert done.returncode == 2 and "--shard splits --all-groups" in done.stderr
    neither = casekit("packets", str(COURSE), register=register)
    assert neither.returncode == 2 and "--all-groups" in neither.stderr
