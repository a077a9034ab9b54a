"""Every CI system's news, read into one shape: which pipeline of which branch of which
repository finished, and how. Unknown conclusions count as failures; cancelled and
skipped runs say nothing about the code."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SUCCESS, FAILURE, IGNORED = "success", "failure", "ignored"
_PASSED = {"success", "passed", "SUCCESS"}
_NEUTRAL = {"cancelled", "canceled", "skipped", "neutral", "ABORTED", "NOT_BUILT", "stale",
            "CANCELED", "SKIPPED"}


class BadPayload(ValueError):
    """The body is not the event it claims to be; the message says what is missing."""


@dataclass(frozen=True)
class Build:
    repo: str
    branch: str
    pipeline: str
    outcome: str  # SUCCESS, FAILURE or IGNORED
    sha: str
    url: str
    who: tuple[str, ...]  # CI logins or e-mails: the actor, the culprits


def read(body: bytes, parse: Callable[[dict[str, Any]], Build | None]) -> Build | None:
    """A webhook body through its parser; anything malformed raises BadPayload only.

    Signed bodies are still input: wrong JSON types, deep nesting or a missing field
    are the sender's mistake (400), never ours (500).
    """
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise BadPayload(f"not JSON ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise BadPayload("the body is not a JSON object")
    try:
        build = parse(data)
    except BadPayload:
        raise
    except (TypeError, AttributeError, KeyError, IndexError, ValueError, RecursionError) as exc:
        raise BadPayload(f"a field of an unexpected type ({type(exc).__name__})") from None
    if build is not None and not all(isinstance(v, str) for v in (
            build.repo, build.branch, build.pipeline, build.sha, build.url, *build.who)):
        raise BadPayload("a field of an unexpected type")
    return build


def outcome_of(conclusion: str | None) -> str:
    if conclusion in _PASSED:
        return SUCCESS
    if conclusion in _NEUTRAL:
        return IGNORED
    return FAILURE


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            raise BadPayload(f"missing {'.'.join(path)}")
        data = data[key]
    return data


def github(event: str, body: dict[str, Any]) -> Build | None:
    """``workflow_run`` and ``check_suite`` (when completed) and ``status``; None for the
    rest (other events, runs still in progress)."""
    repo = str(_get(body, "repository", "full_name"))
    if event == "workflow_run":
        if body.get("action") != "completed":
            return None
        run = _get(body, "workflow_run")
        name = run.get("name") or (body.get("workflow") or {}).get("name") or "workflow"
        actor = (run.get("actor") or {}).get("login", "")
        return Build(repo, str(_get(run, "head_branch")), str(name),
                     outcome_of(run.get("conclusion")), str(run.get("head_sha", "")),
                     str(run.get("html_url", "")), (actor,) if actor else ())
    if event == "check_suite":
        if body.get("action") != "completed":
            return None
        suite = _get(body, "check_suite")
        app = (suite.get("app") or {}).get("name", "checks")
        author = ((suite.get("head_commit") or {}).get("author") or {}).get("email", "")
        return Build(repo, str(_get(suite, "head_branch")), str(app),
                     outcome_of(suite.get("conclusion")), str(suite.get("head_sha", "")),
                     str(suite.get("url", "")), (author,) if author else ())
    if event == "status":
        state = str(_get(body, "state"))
        if state == "pending":
            return None
        branches = body.get("branches") or []
        branch = branches[0]["name"] if branches else ""
        author = ((body.get("commit") or {}).get("author") or {}).get("login", "")
        return Build(repo, branch, str(body.get("context", "status")), outcome_of(state),
                     str(body.get("sha", "")), str(body.get("target_url") or ""),
                     (author,) if author else ())
    return None


def gitlab(body: dict[str, Any]) -> Build | None:
    if body.get("object_kind") != "pipeline":
        raise BadPayload('not a Pipeline Hook ("object_kind": "pipeline")')
    attrs = _get(body, "object_attributes")
    status = str(_get(attrs, "status"))
    if status in ("created", "pending", "running", "waiting_for_resource", "preparing",
                  "scheduled", "manual"):
        return None
    user = (body.get("user") or {}).get("username", "")
    project = _get(body, "project")
    return Build(str(_get(project, "path_with_namespace")), str(_get(attrs, "ref")),
                 str(attrs.get("name") or "pipeline"), outcome_of(status),
                 str(attrs.get("sha", "")), str(attrs.get("url") or project.get("web_url", "")),
                 (user,) if user else ())


def jenkins(body: dict[str, Any]) -> Build | None:
    build = _get(body, "build")
    if build.get("phase") not in ("COMPLETED", "FINALIZED"):
        return None
    scm = build.get("scm") or {}
    culprits = tuple(str(c) for c in scm.get("culprits") or [])
    return Build(str(_get(body, "name")), str(scm.get("branch", "")).removeprefix("origin/"),
                 "jenkins", outcome_of(build.get("status")), str(scm.get("commit", "")),
                 str(build.get("full_url", "")), culprits)


def zuul(record: dict[str, Any]) -> Build:
    return Build(str(_get(record, "project")), str(record.get("branch", "")),
                 str(record.get("job_name", "zuul")), outcome_of(record.get("result")),
                 str(record.get("newrev") or (record.get("ref") or {}).get("newrev") or ""),
                 str(record.get("log_url") or ""), ())
