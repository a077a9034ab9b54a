"""No secret reaches the log, even with --debug: a whole session with SASL on IRC, a Matrix
access token and webhook secrets, then the log is searched for every one of them."""

from __future__ import annotations

import asyncio
import base64
import logging
from pathlib import Path

from hatbot.redact import MASK, Redactor
from tests.conftest import HATBOT, free_port

SASL = "sasl-Pa55word-xyz"
MATRIX_TOKEN = "syt_aGF0Ym90_matrixSecretToken_1a2b3c"
GITHUB_SECRET = "gh-webhook-secret-42"
DB_PASSWORD = "pg-Secret-pw"


async def irc_server(log: list[str]) -> asyncio.Server:
    """An IRC server that offers SASL and logs the bot in."""

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def send(line: str) -> None:
            writer.write(line.encode() + b"\r\n")

        while raw := await reader.readline():
            line = raw.decode().strip()
            log.append(line)
            if line.startswith("CAP LS"):
                send(":irc.test CAP * LS :sasl account-tag")
            elif line.startswith("CAP REQ"):
                send(":irc.test CAP hatbot ACK :sasl account-tag")
            elif line == "AUTHENTICATE PLAIN":
                send("AUTHENTICATE +")
            elif line.startswith("AUTHENTICATE "):
                send(":irc.test 903 hatbot :SASL authentication successful")
            elif line == "CAP END":
                send(":irc.test 001 hatbot :Welcome")

    return await asyncio.start_server(client, "127.0.0.1", 0)


async def test_a_debug_session_logs_no_secret(tmp_path: Path) -> None:
    wire: list[str] = []
    server = await irc_server(wire)
    irc_port = server.sockets[0].getsockname()[1]
    config = tmp_path / "hatbot.toml"
    config.write_text(f"""
[bot]
data_dir = "{tmp_path}/data"
[web]
port = {free_port()}
[adapters.console]
[adapters.irc]
host = "127.0.0.1"
port = {irc_port}
tls = false
channels = ["#dev"]
sasl_username = "hatbot"
sasl_password = "{SASL}"
[adapters.matrix]
homeserver = "http://127.0.0.1:{free_port()}"
user_id = "@hatbot:localhost"
access_token = "{MATRIX_TOKEN}"
rooms = ["!room:localhost"]
encryption = false
[skills.ci]
github_secret = "{GITHUB_SECRET}"
""")
    proc = await asyncio.create_subprocess_exec(
        str(HATBOT), "run", "--debug", "--config", str(config), cwd=tmp_path,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    try:
        for _ in range(300):  # until the SASL exchange is over
            if "CAP END" in wire:
                break
            await asyncio.sleep(0.1)
        assert "CAP END" in wire, wire
        await asyncio.sleep(2)  # Matrix tries its sync against a closed port meanwhile
        assert proc.stdin is not None
        proc.stdin.close()  # the console ends; the bot runs on with IRC and Matrix
        await asyncio.sleep(0.5)
        proc.terminate()
        _, err = await asyncio.wait_for(proc.communicate(), 60)
    finally:
        if proc.returncode is None:
            proc.kill()
        server.close()
    log = err.decode()
    token = base64.b64encode(f"hatbot\0hatbot\0{SASL}".encode()).decode()
    assert f"AUTHENTICATE {token}" in wire  # the secret was really used…
    assert "AUTHENTICATE" in log  # …and the exchange really was logged…
    for secret in (SASL, token, MATRIX_TOKEN, GITHUB_SECRET):
        assert secret not in log  # …masked
    assert "hatbot is running with adapters console, irc, matrix" in log


def test_the_redactor_masks_values_and_wire_shapes() -> None:
    redactor = Redactor({DB_PASSWORD, "abc"})
    record = logging.LogRecord("x", logging.DEBUG, __file__, 1,
                               "url %s and AUTHENTICATE aGF0Ym90AGhhdA== and %s", (
                                   f"postgresql://bot:{DB_PASSWORD}@db/hatbot",
                                   "GET /sync?access_token=syt_abc&since=1"), None)
    redactor.filter(record)
    assert record.getMessage() == (f"url postgresql://bot:{MASK}@db/hatbot and AUTHENTICATE "
                                   f"{MASK} and GET /sync?access_token={MASK}&since=1")
