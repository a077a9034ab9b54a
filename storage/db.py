"""Engines, sessions and migrations for one database URL.

Configuration speaks plain URLs (``sqlite:///path``, ``postgresql+psycopg://…``).
The bot runs on async drivers; Alembic and APScheduler's job store use the
matching sync driver on the same database.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.util import await_only

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS = Path(__file__).with_name("migrations")
# The kv row that records which migrations the schema was last brought up to.
SCHEMA_KEY = ("core", "schema")
BUSY_TIMEOUT_MS = 5000  # how long a write waits for another holder of the SQLite lock
# ...on the event loop's thread, where the wait stops the whole bot: only another process
# (an admin's sqlite3, a backup) can hold the lock, since the bot's writers take turns.
LOOP_BUSY_TIMEOUT_MS = 250
E = TypeVar("E")


def _with_driver(url: str, sqlite_driver: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        parsed = parsed.set(drivername=sqlite_driver)
    elif parsed.drivername in ("postgresql", "postgresql+psycopg2"):
        # psycopg 3 serves both the async bot and the sync migrations and job store.
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def sync_url(url: str) -> str:
    return _with_driver(url, "sqlite")


def async_url(url: str) -> str:
    return _with_driver(url, "sqlite+aiosqlite")


def _sqlite_pragmas(dbapi_connection: Any, busy_timeout_ms: int) -> None:
    # WAL lets readers and the writer work side by side and, with synchronous=NORMAL,
    # keeps every commit across a process crash; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
    cursor.close()


def _ensure_sqlite_dir(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def _driver_missing(exc: ModuleNotFoundError) -> RuntimeError:
    hint = " (pip install 'hatbot[postgres]')" if "psycopg" in str(exc) else ""
    return RuntimeError(f"database driver not installed: {exc.name}{hint}")


def _create(url: str, create: Callable[[str], E]) -> E:
    _ensure_sqlite_dir(url)
    try:
        return create(url)
    except ModuleNotFoundError as exc:
        raise _driver_missing(exc) from None


def _tune(engine: Engine, on_the_loop: bool = False) -> None:
    if engine.dialect.name == "sqlite":
        busy = LOOP_BUSY_TIMEOUT_MS if on_the_loop else BUSY_TIMEOUT_MS

        @event.listens_for(engine, "connect")
        def pragmas(dbapi_connection: Any, _record: Any) -> None:
            _sqlite_pragmas(dbapi_connection, busy)


def sync_engine(url: str) -> Engine:
    engine = _create(sync_url(url), create_engine)
    _tune(engine)
    return engine


def async_engine(url: str) -> AsyncEngine:
    url = async_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # SQLite runs on the event loop's thread: see storage/sqlite_inline.py.
        from hatbot.storage.sqlite_inline import connector

        database = parsed.database or ":memory:"
        engine = _create(url, lambda u: create_async_engine(u, async_creator=connector(database)))
    else:
        engine = _create(url, create_async_engine)
    _tune(engine.sync_engine, on_the_loop=True)
    return engine


def sessions(engine: AsyncEngine, turn: asyncio.Lock | None = None
             ) -> async_sessionmaker[AsyncSession]:
    """Sessions on ``engine``. On SQLite they write one at a time, taking ``turn``:
    pass the lock that every other writer of the same file in this process takes."""
    # Objects stay readable after commit, so a skill can reply with what it just saved.
    if engine.dialect.name != "sqlite":
        return async_sessionmaker(engine, expire_on_commit=False)
    return async_sessionmaker(engine, expire_on_commit=False,
                              sync_session_class=_one_writer_session(turn or asyncio.Lock()))


WRITE_WAIT = BUSY_TIMEOUT_MS / 1000  # as long as SQLite itself would wait for its lock
_HOLDS = "hatbot: holds the write turn"


def _one_writer_session(turn: asyncio.Lock) -> type[Session]:
    """Sessions that take turns to write, inside the bot, before SQLite sees them.

    SQLite has one writer at a time. Without this, two sessions writing at once meet in
    SQLite's busy handler, which sleeps in steps of up to 100 ms: the long tails of a
    busy bot. With it, a session waits its turn on an asyncio lock when it first
    flushes, and gives the turn up when its transaction ends; reading never waits.
    """

    class OneWriterSession(Session):
        pass

    def take_turn(session: Session) -> None:
        if session.info.get(_HOLDS):
            return
        try:  # runs inside the async session's greenlet: it may wait on the event loop
            if turn.locked():
                await_only(asyncio.wait_for(turn.acquire(), WRITE_WAIT))
            else:  # at once, without the task and the loop turn that wait_for costs
                await_only(turn.acquire())
        except TimeoutError:
            raise OperationalError("flush", {}, Exception(
                f"database is locked: another writer kept it for {WRITE_WAIT:.0f} s")) \
                from None
        session.info[_HOLDS] = True

    @event.listens_for(OneWriterSession, "before_flush")
    def before_flush(session: Session, _context: Any, _instances: Any) -> None:
        if session.new or session.dirty or session.deleted:
            take_turn(session)

    # INSERT, UPDATE and DELETE statements given to ``session.execute`` write without a
    # flush; they take the turn too.
    @event.listens_for(OneWriterSession, "do_orm_execute")
    def before_statement(state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            take_turn(state.session)

    @event.listens_for(OneWriterSession, "after_transaction_end")
    def give_turn(session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None and session.info.pop(_HOLDS, False):
            turn.release()

    return OneWriterSession


def alembic_config(url: str, extra_locations: Iterable[Path] = ()) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    locations = [str(MIGRATIONS / "versions"), *(str(p) for p in extra_locations)]
    # A path separator that cannot occur in paths on any platform we run on.
    cfg.set_main_option("path_separator", "newline")
    cfg.set_main_option("version_locations", "\n".join(locations))
    cfg.attributes["url"] = sync_url(url)
    return cfg


def upgrade(url: str, extra_locations: Iterable[Path] = (),
            branches: Iterable[str] | None = None) -> None:
    """Bring the schema to the newest revision of ``branches`` (the core's always; every
    branch when None).

    ``extra_locations`` should name every installed skill's migrations, enabled or
    not: Alembic must find each revision the database records, while only the
    enabled skills' branches move, so a disabled skill's tables stay as they were.
    """
    _ensure_sqlite_dir(sync_url(url))
    locations = [MIGRATIONS / "versions", *extra_locations]
    wanted = None if branches is None else list(dict.fromkeys(["core", *branches]))
    engine = sync_engine(url)
    try:
        if _fingerprint(locations, wanted, engine) == _recorded(engine):
            return  # up to date, as at the last start: no need to load Alembic at all
        from alembic import command

        config = alembic_config(url, extra_locations)
        if wanted is None:
            command.upgrade(config, "heads")
        else:
            for branch in wanted:
                command.upgrade(config, f"{branch}@head")
        _record(engine, _fingerprint(locations, wanted, engine))
    finally:
        engine.dispose()


def _fingerprint(locations: Iterable[Path], branches: list[str] | None, engine: Engine
                 ) -> str:
    """What the schema depends on: every migration file, the branches asked for, and the
    revisions the database says it is at (so a downgrade or a copied file is noticed)."""
    digest = hashlib.sha256(repr(branches).encode())
    for folder in locations:
        for path in sorted(Path(folder).glob("*.py")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("select version_num from alembic_version")).all()
    except SQLAlchemyError:  # a new database
        return ""
    digest.update(repr(sorted(row[0] for row in rows)).encode())
    return digest.hexdigest()


def _recorded(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            return conn.execute(text("select value from kv where namespace = :n and key = :k"),
                                {"n": SCHEMA_KEY[0], "k": SCHEMA_KEY[1]}).scalar()
    except SQLAlchemyError:
        return None


def _record(engine: Engine, fingerprint: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("delete from kv where namespace = :n and key = :k"),
                     {"n": SCHEMA_KEY[0], "k": SCHEMA_KEY[1]})
        conn.execute(text("insert into kv (namespace, key, value) values (:n, :k, :v)"),
                     {"n": SCHEMA_KEY[0], "k": SCHEMA_KEY[1], "v": fingerprint})
