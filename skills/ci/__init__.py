"""CI-breakage pings: GitHub, GitLab and Jenkins webhooks and Zuul polling turn into one
post when a watched branch breaks, reminders while nobody is on it, and one post when
it recovers.

The parts: ``auth`` (signatures and tokens), ``builds`` (payloads into builds),
``webhooks`` (the HTTP side), ``zuul`` (polling), ``state`` (the red/green machine and
the figures, no I/O), ``commands`` (the chat side and reminders), ``models`` (the
tables). Deliveries are recorded through one ``BatchWriter``: many in one transaction.

The skill is in ``skill.py``. Its settings (``settings.py``) load without it: the
configuration is read, and the chat adapters start, before SQLAlchemy and the skill's
models have loaded (docs/architecture.md, "Start-up order").
"""
