"""Welcome: the first time someone joins a welcome channel, a direct message; and how long
newcomers wait for their first answer (CHAOSS: time to first response).

"First time" is kept in the database: never twice across restarts, reconnects or
netsplits. A person who joins a second welcome channel gets its message only if it
is a different message.

The skill is in ``skill.py``. Its settings (``settings.py``) load without it: the
configuration is read, and the chat adapters start, before SQLAlchemy and the skill's
models have loaded (docs/architecture.md, "Start-up order").
"""
