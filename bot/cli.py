"""The ``hatbot`` command: run, check-config, db upgrade.

Exit codes: 0 success, 2 bad configuration or usage, 1 anything else. Errors are
one line on stderr; a traceback only with ``--debug``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hatbot import __version__

if TYPE_CHECKING:
    from hatbot.config import Config
    from hatbot.plugins import Plugins

log = logging.getLogger("hatbot")

# Libraries that narrate routine work at INFO; the bot's own log says what matters.
_QUIET = ("apscheduler", "alembic", "aiohttp.access", "sqlalchemy")


def _options(*, top: bool) -> argparse.ArgumentParser:
    # Accepted before and after the subcommand; below it they must not reset what came above.
    common = argparse.ArgumentParser(add_help=False)
    defaults: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    common.add_argument("--config", type=Path, metavar="FILE", **defaults,
                        help="configuration file (default: ./hatbot.toml, else the embedded "
                             "default: console + SQLite)")
    common.add_argument("--debug", action="store_true", **defaults,
                        help="verbose log, tracebacks on errors")
    return common


# The commands of the bot itself; every other one is a skill's.
_OWN_COMMANDS = frozenset({"run", "check-config", "db", "new-skill", "report"})


def _command_named(arguments: Sequence[str]) -> str | None:
    """The subcommand in ``arguments``: the first word that is neither an option nor the
    value of ``--config``."""
    words = iter(arguments)
    for word in words:
        if word == "--config":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def _parser(plugins: Plugins, *, with_skills: bool = True) -> argparse.ArgumentParser:
    """The command line; ``with_skills`` adds the skills' subcommands, which means
    loading every installed skill (SQLAlchemy and their models): not for ``run``, which
    answers in chat before they have loaded."""
    common = _options(top=False)
    parser = argparse.ArgumentParser(
        prog="hatbot", parents=[_options(top=True)],
        description="Chat-ops bot for open source communities.",
    )
    parser.add_argument("--version", action="version", version=f"hatbot {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser(
        "run", parents=[common], help="run the bot until SIGINT/SIGTERM",
        epilog="example: hatbot run --config hatbot.toml --port 8081")
    run.add_argument("--host", help="listen on this address (overrides [web] host)")
    run.add_argument("--port", type=int, help="listen on this port (overrides [web] port)")
    commands.add_parser("check-config", parents=[common], help="validate the configuration",
                        epilog="example: hatbot check-config --config hatbot.toml")
    database = commands.add_parser("db", help="database maintenance",
                                   epilog="example: hatbot db upgrade --config hatbot.toml")
    db_commands = database.add_subparsers(dest="db_command", required=True, metavar="COMMAND")
    db_commands.add_parser("upgrade", parents=[common], help="apply schema migrations",
                           epilog="example: hatbot db upgrade --config hatbot.toml")
    copy = db_commands.add_parser(
        "copy", parents=[common],
        help="copy every table (skills' own, the scheduler's jobs) into a PostgreSQL "
             "database, then compare row counts; stop the bot first",
        epilog="example: hatbot db copy --from sqlite:///hatbot-data/hatbot.db "
               "--to postgresql+psycopg://hatbot@db.example.org/hatbot")
    copy.add_argument("--from", dest="source", metavar="URL",
                      help="the database to copy (default: the configured one)")
    copy.add_argument("--to", dest="target", metavar="URL", required=True,
                      help="the PostgreSQL database to copy into (migrated first)")
    copy.add_argument("--replace", action="store_true",
                      help="empty the target's tables first (else a target with data is "
                           "refused)")
    report = commands.add_parser("report", help="reports read from the database",
                                 epilog="example: hatbot report recognition --since 2026-01-01")
    reports = report.add_subparsers(dest="report", required=True, metavar="REPORT")
    recognition = reports.add_parser(
        "recognition", parents=[common],
        help="everyone's community work since a day (meetings chaired and attended, action "
             "items done, Community Hat tasks, mentees, newcomers answered)",
        epilog="example: hatbot report recognition --since 2026-01-01 --format csv > work.csv")
    recognition.add_argument("--since", required=True, type=_day, metavar="YYYY-MM-DD",
                             help="from this day (UTC) until now")
    recognition.add_argument("--format", choices=("md", "csv"), default="md",
                             help="Markdown (default) or CSV")
    new_skill = commands.add_parser(
        "new-skill", help="write a ready skill package (pyproject, skill, test) to start from",
        epilog="example: hatbot new-skill dice && cd hatbot-dice && pip install -e '.[test]' "
               "&& pytest")
    new_skill.add_argument("name", metavar="NAME", help="the skill's name and command")
    new_skill.add_argument("--dir", type=Path, default=Path("."),
                           help="where to write hatbot-NAME/ (default: here)")
    if with_skills:
        for name, skill in plugins.skills.items():
            skill.add_cli(_SkillCommands(commands, common, name))
    return parser


class _SkillCommands:
    """The subparsers object as a skill sees it: its commands know their skill and options."""

    def __init__(self, commands: Any, common: argparse.ArgumentParser, skill: str) -> None:
        self._commands = commands
        self.common = common  # --config and --debug, for nested subcommands' parents=[…]
        self._skill = skill

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = self._commands.add_parser(
            name, parents=[self.common], **kwargs)
        parser.set_defaults(skill=self._skill)
        return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments == ["--version"]:  # asked by scripts and packagers: answered at once
        print(f"hatbot {__version__}")
        return 0
    # What start-up makes lives as long as the process: collecting while it is made is
    # a tenth of the start for nothing (a full collection among the imports). The
    # collector comes back once the configuration is read, or for `run` once the bot
    # has started and frozen its start-up heap (App.start), and in any case on return.
    gc.disable()
    try:
        code = _command(arguments)
    finally:
        gc.enable()
    from hatbot.background_import import imports_running

    if imports_running():
        # A bot that stopped within moments of starting (a piped session, or a start
        # that failed) while its web server's libraries still load in a thread: all is
        # delivered, saved and closed, but finalising the interpreter under that thread
        # would crash it. Leave now, with the same outcome.
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _command(arguments: list[str]) -> int:
    # Imported here, not at the top: `--version` needs none of it.
    from hatbot.config import ConfigError, check_runnable
    from hatbot.plugins import discover
    from hatbot.redact import install as install_redaction
    from hatbot.redact import secrets_in
    from hatbot.skill import CliContext

    plugins = discover()
    parser = _parser(plugins, with_skills=_command_named(arguments) not in _OWN_COMMANDS)
    args = parser.parse_args(arguments)
    if args.command is None:  # plain "hatbot": what it can do
        parser.print_help()
        return 0
    if args.command == "new-skill":  # needs no configuration
        return _new_skill(args.name, args.dir)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not args.debug:
        for name in _QUIET:
            logging.getLogger(name).setLevel(logging.WARNING)
    try:
        config = plugins.load_config(args.config)
        if args.command != "run":
            gc.enable()
        # The embedded SQLite file has no URL, so no password.
        install_redaction(secrets_in(config) | _passwords(config.bot.database_url))
        if getattr(args, "skill", None):
            options = config.skills[args.skill].options
            plugins.migrate(config.bot.db_url, [s.name for s in config.enabled_skills()])
            return int(args.handler(CliContext(config.bot, config.web.base_url, options,
                                               database=True), args))
        if args.command in ("run", "check-config"):
            check_runnable(config, plugins.adapters)
        if args.command == "check-config":
            print(f"{config.source or 'embedded default'}: OK")
        elif args.command == "db" and args.db_command == "copy":
            install_redaction(_passwords(args.source, args.target))
            return _db_copy(config, plugins, args.source or config.bot.db_url, args.target,
                            args.replace)
        elif args.command == "db":
            _db_upgrade(config, plugins)
        elif args.command == "report":
            sys.stdout.write(asyncio.run(_recognition_report(config, plugins, args.since,
                                                             args.format)))
        else:
            _run(_listening(config, args.host, args.port), plugins)
        return 0
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    except Exception as exc:
        if args.debug:
            log.exception("fatal error")
        else:
            print(f"hatbot: error: {exc}", file=sys.stderr)
        return 1


def _new_skill(name: str, where: Path) -> int:
    from hatbot.newskill import create

    try:
        folder = create(name, where, __version__)
    except ValueError as exc:
        print(f"hatbot new-skill: {exc}", file=sys.stderr)
        return 2
    print(f"{folder}: written. Next: cd {folder} && pip install -e '.[test]' && pytest; "
          f"then add [skills.{name}] to hatbot.toml")
    return 0


def _db_upgrade(config: Config, plugins: Plugins) -> None:
    from sqlalchemy.engine import make_url

    plugins.migrate(config.bot.db_url, [s.name for s in config.enabled_skills()])
    # The URL may carry a password: show it masked.
    shown = make_url(config.bot.db_url).render_as_string(hide_password=True)
    print(f"database at {shown} is up to date")


def _passwords(*urls: str | None) -> set[str]:
    """The passwords in database URLs, to keep out of the log."""
    from sqlalchemy.engine import make_url

    found = (make_url(url).password for url in urls if url)
    return {str(password) for password in found if password}


def _db_copy(config: Config, plugins: Plugins, source: str, target: str,
             replace: bool) -> int:
    from tqdm import tqdm  # type: ignore[import-untyped]

    from hatbot.storage.copy import CopyError, copy, shown

    enabled = [s.name for s in config.enabled_skills()]
    for url in (source, target):
        plugins.migrate(url, enabled)
    bar = tqdm(unit=" rows", file=sys.stderr, disable=None, desc="copying")
    try:
        copied = copy(source, target, replace=replace, progress=bar.update,
                      total=lambda rows: setattr(bar, "total", rows))
    except CopyError as exc:
        print(f"hatbot db copy: {exc}", file=sys.stderr)
        return 1
    finally:
        bar.close()
    wrong = [c for c in copied if c.source_rows != c.target_rows]
    for c in copied:
        mark = "" if c.source_rows == c.target_rows else "  <- differs"
        print(f"{c.table:32} {c.source_rows:>10} {c.target_rows:>10}{mark}")
    rows = sum(c.target_rows for c in copied)
    print(f"{len(copied)} tables, {rows} rows copied from {shown(source)} to {shown(target)}"
          + (f"; {len(wrong)} tables differ" if wrong else "; every count matches"))
    return 1 if wrong else 0


def _day(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f'expected a day like 2026-01-31, got "{text}"'
                                         ) from None


async def _recognition_report(config: Config, plugins: Plugins, since: datetime,
                              form: str) -> str:
    from hatbot import recognition
    from hatbot.app import App

    app = App(config, plugins)
    await app.open_offline()
    try:
        found = await app.recognition(since)
    finally:
        await app.stop()
    if form == "csv":
        return recognition.as_csv(found)
    return recognition.as_markdown(found, since, datetime.now(UTC))


def _listening(config: Config, host: str | None, port: int | None) -> Config:
    """``--host`` and ``--port`` over ``[web]``."""
    from hatbot.config import ConfigError

    changes: dict[str, object] = {}
    if host is not None:
        changes["host"] = host
    if port is not None:
        if not 0 <= port <= 65535:
            raise ConfigError([f"--port: expected 0 to 65535, got {port}"])
        changes["port"] = port
    if not changes:
        return config
    return dataclasses.replace(config, web=config.web.model_copy(update=changes))


def _run(config: Config, plugins: Plugins) -> None:
    from hatbot.app import App

    app = App(config, plugins)
    deposed: list[bool] = []

    def start_over() -> None:  # the lead was lost (bot/replicas.py): stop, then rejoin
        deposed.append(True)
        app.request_stop()

    app.on_deposed = start_over
    asyncio.run(app.run())
    if deposed:
        # A new process in this one's place, as a standby: nothing of the old state
        # (connections, jobs, caches) can speak by mistake.
        log.warning("starting over as a standby")
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, [sys.executable, *sys.argv])


if __name__ == "__main__":
    sys.exit(main())
