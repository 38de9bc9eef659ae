"""``--executor dask``: a LocalCluster of two worker processes builds the example
catalogue with the bytes of a local build; a worker killed in the middle of a job
has that job run again, and the build still succeeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import casekit
from tests.distribution_helpers import catalogue, format_plugin, outputs, quick_flags

distributed = pytest.importorskip("distributed")  # casekit[dask], in the test extra: CI has it
LocalCluster = distributed.LocalCluster
pytestmark = pytest.mark.slow

KILLER = '''
"""A format whose first attempt kills the worker process running it, or fails."""

import os
import signal
from pathlib import Path

from casekit.formats import Format, Output, output_name


def render(course, ctx):
    marker = Path(os.environ["CASEKIT_TEST_KILLED"])
    if not marker.exists():
        marker.write_text(str(os.getpid()))
        if os.environ["CASEKIT_TEST_FAILURE"] == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        raise RuntimeError("a passing failure (a network file system's hiccup)")
    return [Output(output_name(course, "txt"), course.config.title.encode("utf-8"))]


FORMAT = Format("killer", "dies the first time", render)
'''


def test_a_local_cluster_builds_the_catalogue_with_the_same_bytes(tmp_path: Path) -> None:
    courses = catalogue(tmp_path / "courses")
    local = casekit("build", courses, "-o", tmp_path / "local", "-j", "2")
    assert local.returncode == 0, local.stderr
    dask = casekit("build", courses, "-o", tmp_path / "dask", "--executor", "dask", "-j", "2", "-v")
    assert dask.returncode == 0, dask.stderr
    assert outputs(tmp_path / "dask") == outputs(tmp_path / "local")
    assert "job-search-en: built pdf (learner) in" in dask.stderr  # progress as a local build
    assert "2/2 courses done" in dask.stderr
    assert dask.stdout.count(" built") == local.stdout.count(" built")


def test_a_sharded_dask_build_with_a_shared_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    courses = catalogue(tmp_path / "courses")
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    monkeypatch.setenv("XDG_CONFIG_HOME", env["XDG_CONFIG_HOME"])  # the cluster's workers too
    whole = casekit("build", courses, "-o", tmp_path / "whole", *quick_flags(), env=env)
    assert whole.returncode == 0, whole.stderr
    union: dict[str, bytes] = {}
    # shard 1 on a cluster of the test's own, whose workers declare little memory (the
    # tasks then ask for what there is); shard 2 on casekit's LocalCluster
    with LocalCluster(
        n_workers=1, threads_per_worker=1, resources={"MEMORY": 100}, dashboard_address=None
    ) as cluster:
        for index, where in ((1, ["--scheduler", cluster.scheduler_address]), (2, [])):
            flags = [
                "--executor",
                "dask",
                *where,
                "--shard",
                f"{index}/2",
                "--cache-dir",
                tmp_path / "cache",
            ]
            done = casekit(
                "build", courses, "-o", tmp_path / f"s{index}", *flags, *quick_flags(), env=env
            )
            assert done.returncode == 0, done.stderr
            union.update(outputs(tmp_path / f"s{index}"))
    assert union == outputs(tmp_path / "whole")
    again = casekit(
        "build",
        courses,
        "-o",
        tmp_path / "again",
        "--executor",
        "dask",
        "--cache-dir",
        tmp_path / "cache",
        *quick_flags(),
        env=env,
    )
    assert again.returncode == 0, again.stderr
    assert " built" not in again.stdout and "from cache" in again.stdout


@pytest.mark.parametrize("failure", ["kill", "raise"])
def test_a_worker_killed_mid_job_has_its_job_retried(tmp_path: Path, failure: str) -> None:
    """A killed worker's task is rescheduled; a task that raised runs again (retries)."""
    marker = tmp_path / "killed-pid"
    courses = catalogue(tmp_path / "courses")
    env = {
        **format_plugin(tmp_path / "plugins", "killer", KILLER),
        "CASEKIT_TEST_KILLED": str(marker),
        "CASEKIT_TEST_FAILURE": failure,
    }
    done = casekit(
        "build",
        courses,
        "-o",
        tmp_path / "out",
        "--executor",
        "dask",
        "-f",
        "killer",
        "-f",
        "html",
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert marker.read_text().isdigit()  # the first attempt did die or fail
    made = sorted((tmp_path / "out").glob("*/killer/*.txt"))
    assert len(made) == 4  # ... and each course's editions were still made
    assert {p.read_text("utf-8") for p in made} == {
        "Сандық сауаттылық негіздері",
        "Finding Work: Job-Search Skills for Adults",
    }
    assert done.stdout.count(" built") == 2 * 4
