"""Hatbot's core: events, dispatch, commands, the skill API and the wiring."""

__version__ = "0.1.0"
