import argparse
import asyncio
import importlib
import inspect
from collections.abc import Callable
from typing import Any

Call = Callable[[Any, argparse.Namespace], Any]


def runs(module: str, call: Call) -> Callable[[argparse.Namespace], None]:
    """What a subcommand does: import ``bench.<module>`` only then (no benchmark needs
    another's parts) and call it, running it to the end if it is a coroutine."""
    def run(args: argparse.Namespace) -> None:
        result = call(importlib.import_module(f"bench.{module}"), args)
        if inspect.iscoroutine(result):
            asyncio.run(result)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    benches = parser.add_subparsers(dest="bench", required=True)
    d = benches.add_parser("dispatch", help="messages through the real dispatcher and skills")
    d.add_argument("--messages", type=int, default=20_000, help="messages in the flood phase")
    d.add_argument("--channels", type=int, default=20)
    d.add_argument("--rate", type=float, default=5_000, help="offered load, messages/s")
    d.add_argument("--seconds", type=float, default=5, help="length of the sustained phase")
    d.add_argument("--command-share", type=float, default=0.1,
                   help="fraction of messages that are commands (!ping)")
    d.add_argument("--in-meetings", action="store_true",
                   help="run a meeting in every channel, so each message is logged and committed")
    d.add_argument("--mix", action="store_true",
                   help="the community mix: meetings, commands that use the database, joins")
    sc = benches.add_parser("schedule", help="OpenStack's irc-meetings: load, expand, check")
    sc.add_argument("--repeat", type=int, default=5)
    sc.set_defaults(run=runs("schedule", lambda module, args: module.run(args)))
    kb = benches.add_parser("kb", help="answering repeated questions: precision by threshold")
    kb.add_argument("--repeat", type=int, default=20)
    kb.set_defaults(run=runs("kb", lambda module, args: module.run(args)))
    m = benches.add_parser("minutes", help="render a long meeting's minutes in every format")
    m.add_argument("--lines", type=int, default=10_000)
    m.add_argument("--repeat", type=int, default=5)
    m.add_argument("--stall", action="store_true",
                   help="how long the event loop waits while the minutes are written")
    i = benches.add_parser("irc", help="command round trip through a real ngircd")
    i.add_argument("--commands", type=int, default=1000)
    w = benches.add_parser("webhooks", help="signed GitHub deliveries over HTTP")
    w.add_argument("--repos", type=int, default=50)
    w.add_argument("--per-repo", type=int, default=20)
    a = benches.add_parser("archive", help="hatbot minutes replay over a folder of logs")
    a.add_argument("--logs", type=int, default=10_000)
    a.add_argument("--lines", type=int, default=60, help="lines in each meeting")
    c = benches.add_parser("actions", help="assign action items among thousands of people")
    c.add_argument("--speakers", type=int, default=5000)
    c.add_argument("--actions", type=int, default=1000)
    q = benches.add_parser("queries", help="!actions and #startmeeting at 100,000 open items")
    q.add_argument("--items", type=int, default=100_000)
    q.add_argument("--repeat", type=int, default=20)
    wb = benches.add_parser("web", help="the meeting archive's pages at OpenStack's size")
    wb.add_argument("--meetings", type=int, default=25_000)
    wb.add_argument("--lines", type=int, default=80, help="lines in each meeting")
    wb.add_argument("--repeat", type=int, default=40)
    wb.set_defaults(run=runs("web", lambda bench, opts: bench.run(
        opts.meetings, opts.lines, opts.repeat)))
    pe = benches.add_parser("peers", help="Hatbot beside Errbot (make bench-peers installs it)")
    pe.add_argument("--trials", type=int, default=5)
    pe.add_argument("--commands", type=int, default=10_000)
    d.set_defaults(run=runs("dispatch", lambda bench, opts: bench.run(
        opts.messages, opts.channels, opts.rate, opts.seconds, opts.command_share,
        opts.in_meetings, opts.mix)))
    m.set_defaults(run=runs("minutes", lambda bench, opts: bench.stall(opts.lines) if opts.stall
                            else bench.run(opts.lines, opts.repeat)))
    i.set_defaults(run=runs("irc", lambda bench, opts: bench.run(opts.commands)))
    w.set_defaults(run=runs("webhooks", lambda bench, opts: bench.run(opts.repos, opts.per_repo)))
    a.set_defaults(run=runs("archive", lambda bench, opts: bench.run(opts.logs, opts.lines)))
    c.set_defaults(run=runs("actions", lambda bench, opts: bench.run(opts.speakers, opts.actions)))
    q.set_defaults(run=runs("queries", lambda bench, opts: bench.run(opts.items, opts.repeat)))
    pe.set_defaults(run=runs("peers", lambda bench, opts: bench.run(opts.trials, opts.commands)))
    args = parser.parse_args()
    args.run(args)


main()
