"""Meetings: MeetBot's commands on every platform, minutes in six formats, and a meeting
that survives a restart because every line is committed before it is acted on.

The rules live in ``engine.py`` (no platform, no storage); this module connects them
to chat, the database, the scheduler and the web server.

The skill is in ``skill.py``. Its settings (``settings.py``) load without it: the
configuration is read, and the chat adapters start, before SQLAlchemy and the skill's
models have loaded (docs/architecture.md, "Start-up order").
"""
