"""The files in contrib/ are what they say: a hardened unit, a compose file with
PostgreSQL, and a Slack manifest with every scope and event the adapter uses."""

from __future__ import annotations

import configparser
import re

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


def test_compose_runs_the_bot_beside_postgresql() -> None:
    compose = yaml.safe_load((CONTRIB / "docker-compose.yml").read_text())
    assert set(compose["services"]) == {"db", "hatbot"}
    assert compose["services"]["db"]["image"].startswith("postgres:")
    assert compose["services"]["hatbot"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "/config/hatbot.toml" in compose["services"]["hatbot"]["volumes"][0]


def test_the_slack_manifest_grants_what_the_adapter_uses() -> None:
    manifest = yaml.safe_load((CONTRIB / "slack-app-manifest.yml").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    adapter = (REPO / "adapters" / "slack.py").read_text()
    # Each Web API method the adapter calls, and the scope it needs.
    needs = {"users_info": "users:read", "conversations_info": "channels:read",
             "conversations_open": "im:write", "chat_postMessage": "chat:write",
             "conversations_setTopic": "channels:manage", "chat_update": "chat:write",
             "reactions_add": "reactions:write"}
    called = set(re.findall(r"client\.(\w+)\(", adapter)) - {"auth_test"}
    assert called <= set(needs), called - set(needs)
    assert {needs[m] for m in called} <= scopes
    assert "app_mentions:read" in scopes
    handled = set(re.findall(r'bolt\.event\("(\w+)"\)', adapter))
    assert handled == {"message", "app_mention", "member_joined_channel", "member_left_channel",
                       "reaction_added"}
    assert {"message.channels", "message.im", "app_mention", "member_joined_channel",
            "member_left_channel", "reaction_added"} <= events
    assert "reactions:read" in scopes  # reaction_added is sent only with it
    assert "connections:write" in (CONTRIB / "slack-app-manifest.yml").read_text()
