"""Persistence: the declarative base, engines and sessions, migrations, key-value state."""
