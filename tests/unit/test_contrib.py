"""The files in contrib/ are what they say: a hardened unit, a compose file with
PostgreSQL and two replicas, a Helm chart, and a Slack manifest with every scope and event
the adapter uses."""

from __future__ import annotations

import configparser
import re
from typing import Any

import yaml

from tests.conftest import REPO

CONTRIB = REPO / "contrib"


def test_the_systemd_unit_is_hardened_and_runs_the_real_commands() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(CONTRIB / "hatbot.service")
    service = unit["Service"]
    assert service["DynamicUser"] == "yes" and service["ProtectSystem"] == "strict"
    assert service["StateDirectory"] == "hatbot" and service["NoNewPrivileges"] == "yes"
    assert service["ExecStart"].endswith("hatbot run --config /etc/hatbot/hatbot.toml")
    assert "check-config" in service["ExecStartPre"]
    assert unit["Install"]["WantedBy"] == "multi-user.target"


def test_compose_runs_two_replicas_beside_postgresql() -> None:
    compose = yaml.safe_load((CONTRIB / "docker-compose.yml").read_text())
    assert set(compose["services"]) == {"db", "hatbot-a", "hatbot-b"}
    assert compose["services"]["db"]["image"].startswith("postgres:")
    replicas = [compose["services"][name] for name in ("hatbot-a", "hatbot-b")]
    for replica in replicas:
        assert replica["depends_on"]["db"]["condition"] == "service_healthy"
        assert "/config/hatbot.toml" in replica["volumes"][0]
        assert "/healthz" in " ".join(replica["healthcheck"]["test"])
        assert "minutes:/minutes" in replica["volumes"]  # shared by whoever leads
    data = [next(v for v in r["volumes"] if v.endswith(":/data")) for r in replicas]
    assert data[0] != data[1]  # a data folder is locked by one process


def test_the_slack_manifest_grants_what_the_adapter_uses() -> None:
    manifest = yaml.safe_load((CONTRIB / "slack-app-manifest.yml").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    adapter = (REPO / "adapters" / "slack" / "adapter.py").read_text()
    # Each Web API method the adapter calls, and the scope it needs.
    needs = {"users_info": "users:read", "conversations_info": "channels:read",
             "conversations_history": "channels:history",
             "chat_postEphemeral": "chat:write", "views_publish": "",  # needs no scope
             "conversations_open": "im:write", "chat_postMessage": "chat:write",
             "conversations_setTopic": "channels:manage", "chat_update": "chat:write",
             "reactions_add": "reactions:write"}
    called = set(re.findall(r"client\.(\w+)\(", adapter)) - {"auth_test"}
    assert called <= set(needs), called - set(needs)
    assert {needs[m] for m in called} - {""} <= scopes
    assert "app_mentions:read" in scopes
    handled = set(re.findall(r'bolt\.event\("(\w+)"\)', adapter))
    assert handled == {"message", "app_mention", "member_joined_channel", "member_left_channel",
                       "reaction_added", "app_home_opened"}
    assert {"message.channels", "message.im", "app_mention", "member_joined_channel",
            "member_left_channel", "reaction_added", "app_home_opened"} <= events
    assert manifest["features"]["app_home"]["home_tab_enabled"]
    assert "reactions:read" in scopes  # reaction_added is sent only with it
    assert "connections:write" in (CONTRIB / "slack-app-manifest.yml").read_text()
    # Buttons: Slack sends presses only to an app with interactivity on.
    assert "bolt.action(" in adapter and manifest["settings"]["interactivity"]["is_enabled"]
    # The slash command the adapter listens for by default is the manifest's.
    from hatbot.adapters.slack import SlackConfig

    (slash,) = manifest["features"]["slash_commands"]
    assert slash["command"] == SlackConfig().slash_command and "commands" in scopes


# --- the Helm chart ------------------------------------------------------------------
# `helm` is not installable here (not in Debian, not on PyPI), so the chart is checked by
# rendering its templates with the few template functions it uses (below) and validating
# what comes out against the parts of the Kubernetes schemas that matter to Hatbot.

CHART = CONTRIB / "helm" / "hatbot"
_ACTION = re.compile(r"\{\{(-?)\s*(.*?)\s*(-?)\}\}", re.DOTALL)


def _value(expr: str, scope: dict[str, Any]) -> Any:
    expr = expr.strip()
    if expr.startswith("(") and expr.endswith(")"):
        return _value(expr[1:-1], scope)
    if expr.startswith('"'):
        return expr.strip('"')
    if " | " in expr:
        head, _, rest = expr.rpartition(" | ")
        name, _, arg = rest.partition(" ")
        value = _value(head, scope)
        if name == "nindent":
            text = value if isinstance(value, str) else yaml.safe_dump(value).rstrip("\n")
            return "\n" + "\n".join(" " * int(arg) + line for line in text.splitlines())
        if name == "default":
            return value or _value(arg, scope)
        if name == "quote":
            return f'"{value}"'
        raise AssertionError(f"the chart uses {name}, which this check does not know")
    words = expr.split(" ", 1)
    if words[0] == "toYaml":
        return yaml.safe_dump(_value(words[1], scope), sort_keys=False).rstrip("\n")
    if words[0] == "not":
        return not _value(words[1], scope)
    if words[0] == "printf":
        fmt, _, arg = words[1].partition(" ")
        return fmt.strip('"') % _value(arg, scope)
    value: Any = scope
    for part in expr.lstrip(".").split("."):
        value = value[part]
    return value


def render(template: str, scope: dict[str, Any]) -> str:
    """Go's rules: ``{{-`` trims the whitespace before the action, ``-}}`` after it."""
    out = ""
    showing = [True]
    last = 0
    trim_next = False
    for match in _ACTION.finditer(template):
        text = template[last:match.start()]
        if trim_next:
            text = text.lstrip()
        if match.group(1):
            text = text.rstrip()
        if all(showing):
            out += text
        last, trim_next = match.end(), bool(match.group(3))
        action = match.group(2)
        if action.startswith("if "):
            showing.append(bool(_value(action[3:], scope)))
        elif action == "else":
            showing[-1] = not showing[-1]
        elif action == "end":
            showing.pop()
        elif all(showing):
            out += str(_value(action, scope))
    tail = template[last:]
    return out + (tail.lstrip() if trim_next else tail)


def rendered(values: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    scope = {"Values": {**yaml.safe_load((CHART / "values.yaml").read_text()),
                        **(values or {})},
             "Release": {"Name": "community"},
             "Chart": {"Name": chart["name"], "AppVersion": chart["appVersion"]}}
    found = {}
    for path in sorted((CHART / "templates").glob("*.yaml")):
        document = yaml.safe_load(render(path.read_text(), scope))
        if document:
            found[document["kind"]] = document
    return found


_PROBE = {"type": "object", "required": ["httpGet"], "properties": {"httpGet": {
    "type": "object", "required": ["path", "port"],
    "properties": {"path": {"const": "/healthz"}}}}}
DEPLOYMENT = {
    "type": "object", "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "apps/v1"},
        "spec": {"type": "object", "required": ["replicas", "selector", "template"],
                 "properties": {
                     "replicas": {"type": "integer", "minimum": 2},
                     "template": {"type": "object", "properties": {"spec": {
                         "type": "object", "required": ["containers", "volumes"],
                         "properties": {"containers": {"type": "array", "minItems": 1,
                                                       "items": {
                             "type": "object",
                             "required": ["name", "image", "args", "envFrom",
                                          "readinessProbe", "livenessProbe", "ports"],
                             "properties": {
                                 "image": {"type": "string", "pattern": r"^[^:\s]+:\S+$"},
                                 "readinessProbe": _PROBE, "livenessProbe": _PROBE,
                                 "args": {"const": ["run", "--config",
                                                    "/config/hatbot.toml"]}}}}}}}}}}}}


def test_the_helm_chart_renders_two_ready_checked_replicas() -> None:
    import jsonschema

    chart = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert chart["apiVersion"] == "v2" and chart["name"] == "hatbot"
    found = rendered()
    assert set(found) == {"Deployment", "Service", "ConfigMap", "Secret"}
    jsonschema.validate(found["Deployment"], DEPLOYMENT)
    pod = found["Deployment"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    secret = found["Secret"]
    assert container["envFrom"] == [{"secretRef": {"name": secret["metadata"]["name"]}}]
    assert "HATBOT_DATABASE_URL" in secret["stringData"]
    config = found["ConfigMap"]["data"]["hatbot.toml"]
    import tomllib

    assert tomllib.loads(config)["bot"]["database_url"] == "${HATBOT_DATABASE_URL}"
    assert found["Service"]["spec"]["ports"][0]["targetPort"] == "http"
    assert {"name": "data", "emptyDir": {}} in pod["volumes"]
    # A shared claim for the minutes, and a Secret managed elsewhere.
    shared = rendered({"minutes": {"existingClaim": "minutes-rwx"},
                       "existingSecret": "hatbot-tokens"})
    assert "Secret" not in shared
    pod = shared["Deployment"]["spec"]["template"]["spec"]
    assert {"name": "minutes", "persistentVolumeClaim": {"claimName": "minutes-rwx"}} \
        in pod["volumes"]
    assert pod["containers"][0]["envFrom"][0]["secretRef"]["name"] == "hatbot-tokens"
