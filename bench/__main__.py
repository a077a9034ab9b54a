import argparse
import asyncio

from bench import dispatch


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
    args = parser.parse_args()
    asyncio.run(dispatch.run(args.messages, args.channels, args.rate, args.seconds,
                             args.command_share))


main()
