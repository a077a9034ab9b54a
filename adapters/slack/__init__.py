"""Slack: the adapter (``adapter``), and the Block Kit it sends and reads back for the
choices under the bot's replies (``blocks``)."""

from hatbot.adapters.slack.adapter import EVENTS_PATH, PLATFORM, SlackAdapter, SlackConfig

__all__ = ["EVENTS_PATH", "PLATFORM", "SlackAdapter", "SlackConfig"]
