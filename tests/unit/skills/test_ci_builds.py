"""Each CI system's payload read into one shape."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hatbot.skills.ci import builds
from hatbot.skills.ci.builds import FAILURE, IGNORED, SUCCESS, BadPayload
from tests.conftest import REPO

FIXTURES = REPO / "tests" / "fixtures" / "ci"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


def test_github_workflow_run() -> None:
    build = builds.github("workflow_run", fixture("github_workflow_run.json"))
    assert build is not None
    assert (build.repo, build.branch, build.pipeline, build.outcome, build.who) == (
        "octo-org/octo-repo", "main", "Build", FAILURE, ("octocat",))


def test_github_workflow_name_falls_back_to_the_workflow() -> None:
    payload = fixture("github_workflow_run.json")
    payload["workflow_run"]["name"] = ""
    payload["workflow"]["name"] = "Nightly"
    build = builds.github("workflow_run", payload)
    assert build is not None and build.pipeline == "Nightly"


def test_github_in_progress_and_other_events_say_nothing() -> None:
    payload = fixture("github_workflow_run.json")
    payload["action"] = "requested"
    assert builds.github("workflow_run", payload) is None
    assert builds.github("push", fixture("github_workflow_run.json")) is None


def test_github_check_suite_and_status() -> None:
    suite = {"action": "completed", "repository": {"full_name": "o/r"},
             "check_suite": {"head_branch": "main", "head_sha": "abc", "conclusion": "success",
                             "app": {"name": "CI"}, "url": "u",
                             "head_commit": {"author": {"email": "dev@example.org"}}}}
    build = builds.github("check_suite", suite)
    assert build is not None
    assert (build.pipeline, build.outcome, build.who) == ("CI", SUCCESS, ("dev@example.org",))
    status = {"state": "error", "sha": "abc", "context": "ci/lint", "target_url": "t",
              "branches": [{"name": "main"}], "repository": {"full_name": "o/r"},
              "commit": {"author": {"login": "dev"}}}
    build = builds.github("status", status)
    assert build is not None and (build.pipeline, build.outcome) == ("ci/lint", FAILURE)
    assert builds.github("status", {**status, "state": "pending"}) is None


def test_gitlab_pipeline() -> None:
    build = builds.gitlab(fixture("gitlab_pipeline.json"))
    assert build is not None
    assert (build.repo, build.branch, build.outcome, build.who) == (
        "gitlab-org/gitlab-test", "main", FAILURE, ("root",))
    running = fixture("gitlab_pipeline.json")
    running["object_attributes"]["status"] = "running"
    assert builds.gitlab(running) is None
    with pytest.raises(BadPayload, match="Pipeline Hook"):
        builds.gitlab({"object_kind": "push"})


def test_jenkins_notification() -> None:
    build = builds.jenkins(fixture("jenkins_notification.json"))
    assert build is not None
    assert (build.repo, build.branch, build.outcome, build.who) == (
        "asgard", "master", FAILURE, ("jdoe@example.org",))
    started = fixture("jenkins_notification.json")
    started["build"]["phase"] = "STARTED"
    assert builds.jenkins(started) is None


@pytest.mark.parametrize(("conclusion", "outcome"), [
    ("success", SUCCESS), ("SUCCESS", SUCCESS), ("failure", FAILURE), ("timed_out", FAILURE),
    ("surprise", FAILURE), (None, FAILURE), ("cancelled", IGNORED), ("skipped", IGNORED),
    ("ABORTED", IGNORED)])
def test_outcomes(conclusion: str | None, outcome: str) -> None:
    assert builds.outcome_of(conclusion) == outcome


def test_missing_fields_are_named() -> None:
    with pytest.raises(BadPayload, match=r"missing repository\.full_name"):
        builds.github("workflow_run", {"action": "completed"})
