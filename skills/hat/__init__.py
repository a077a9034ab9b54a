"""The Community Hat: maintenance work (docs, CI, releases, reviews, mentoring) gets an
owner, reminders ask for one where it has none, and idle claims are let go.

The skill is in ``skill.py``. Its settings (``settings.py``) load without it: the
configuration is read, and the chat adapters start, before SQLAlchemy and the skill's
models have loaded (docs/architecture.md, "Start-up order").
"""
