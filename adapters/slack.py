"""Slack. The configuration is final; the connection is issue #5 and not built yet."""

from __future__ import annotations

from pydantic import SecretStr

from adapters.base import AdapterConfig, Unavailable


class SlackConfig(AdapterConfig):
    bot_token: SecretStr = SecretStr("")
    app_token: SecretStr = SecretStr("")  # set: Socket Mode; empty: Events API
    signing_secret: SecretStr = SecretStr("")
    api_url: str = "https://slack.com/api/"


class SlackAdapter(Unavailable[SlackConfig]):
    platform = "slack"
    config_model = SlackConfig
