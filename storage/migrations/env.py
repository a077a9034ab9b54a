"""Alembic environment: runs migrations on the URL the bot hands over."""

from __future__ import annotations

from alembic import context

from hatbot.storage.base import Base
from hatbot.storage.db import sync_engine

config = context.config
target_metadata = Base.metadata


def run() -> None:
    url = str(config.attributes.get("url") or config.get_main_option("sqlalchemy.url"))
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = sync_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=True,  # SQLite needs table rebuilds for most ALTERs
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


run()
