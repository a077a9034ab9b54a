"""Real chat servers for the integration tests, started on free loopback ports."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.support import REPO, free_port

TEMPLATES = REPO / "tests" / "fixtures" / "servers"  # config templates of the test servers


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.02)
    raise TimeoutError(f"nothing listens on port {port} after {timeout}s")


class _Server:
    """A server process of the tests' own, in a folder of its own."""

    folder: Path
    process: subprocess.Popen[bytes] | None = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class Ngircd(_Server):
    """A real ngircd from Debian's package; ``penalty=True`` keeps its flood control."""

    binary = shutil.which("ngircd") or "/usr/sbin/ngircd"

    def __init__(self, penalty: bool = False, tls: bool = False) -> None:
        # ngircd drops to "nobody" when started as root: its folder must be open to it.
        self.folder = Path(tempfile.mkdtemp(prefix="hatbot-ngircd-"))
        self.folder.chmod(0o755)
        for sub in ("run", "conf.d"):
            (self.folder / sub).mkdir()
            (self.folder / sub).chmod(0o777)
        self.port = free_port()
        template = (TEMPLATES / "ngircd.conf").read_text()
        config = template.replace("@DIR@", str(self.folder)).replace("@PORT@", str(self.port))
        if penalty:
            config = "\n".join(line for line in config.splitlines()
                               if "MaxPenaltyTime" not in line) + "\n"
        self.tls_port: int | None = None
        if tls:
            self.tls_port = free_port()
            config += self._tls_section()
        self.config = self.folder / "ngircd.conf"
        self.config.write_text(config)
        self.config.chmod(0o644)

    def _tls_section(self) -> str:
        """A self-signed certificate for 127.0.0.1; ``self.certificate`` is its CA file."""
        self.certificate = self.folder / "cert.pem"
        key = self.folder / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", str(key), "-out", str(self.certificate)],
            check=True, capture_output=True)
        for path in (key, self.certificate):
            path.chmod(0o644)
        return (f"[SSL]\n\tCertFile = {self.certificate}\n\tKeyFile = {key}\n"
                f"\tPorts = {self.tls_port}\n")

    @classmethod
    def available(cls) -> bool:
        return Path(cls.binary).exists()

    def start(self) -> None:
        self.process = subprocess.Popen([self.binary, "-n", "-f", str(self.config)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port)
        if self.tls_port is not None:
            wait_for_port(self.tls_port)



def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


SYNAPSE_VENV = REPO / ".cache" / "synapse"
SYNAPSE_PYTHON = SYNAPSE_VENV / "bin" / "python"


class Synapse(_Server):
    """A real Synapse homeserver from PyPI, in its own venv (``.cache/synapse``)."""

    server_name = "localhost"

    def __init__(self, message_rate: float | None = None) -> None:
        """``message_rate`` (messages a second, burst of 2) turns Synapse's message rate
        limit back on, for tests of the bot's 429 handling."""
        self.folder = Path(tempfile.mkdtemp(prefix="hatbot-synapse-"))
        self.port = free_port()
        for name in ("synapse-homeserver.yaml", "synapse-log.config"):
            text = (TEMPLATES / name).read_text()
            text = text.replace("@DIR@", str(self.folder)).replace("@PORT@", str(self.port))
            if message_rate is not None:
                text = text.replace("rc_message: {per_second: 1000, burst_count: 1000}",
                                    f"rc_message: {{per_second: {message_rate}, burst_count: 2}}")
            target = "homeserver.yaml" if name.startswith("synapse-home") else "log.config"
            (self.folder / target).write_text(text)
        self.config = self.folder / "homeserver.yaml"
        subprocess.run([str(SYNAPSE_PYTHON), "-m", "synapse.app.homeserver", "-c",
                        str(self.config), "--generate-keys"], check=True, capture_output=True,
                       cwd=self.folder)

    @classmethod
    def available(cls) -> bool:
        return SYNAPSE_PYTHON.exists()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        import httpx

        self.process = subprocess.Popen(
            [str(SYNAPSE_PYTHON), "-m", "synapse.app.homeserver", "-c", str(self.config)],
            cwd=self.folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"synapse exited; see {self.folder}/homeserver.log")
            time.sleep(0.1)
        raise TimeoutError(f"synapse not healthy after {timeout}s")



def _postgres_bin() -> Path | None:
    """Debian's PostgreSQL server programs (``postgresql`` package), newest version."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit()
                   else 0)
    return found[-1].parent if found else None


class Postgres(_Server):
    """A real PostgreSQL in a temporary folder, on a free loopback port, trusting local
    connections. As root, the server runs as the ``postgres`` user (it refuses root)."""

    bin = _postgres_bin()

    @classmethod
    def available(cls) -> bool:
        return cls.bin is not None

    def __init__(self) -> None:
        assert self.bin is not None
        self.folder = Path(tempfile.mkdtemp(prefix="hatbot-postgres-"))
        self.port = free_port()
        self._as: list[str] = []
        if os.geteuid() == 0:
            self.folder.chmod(0o755)
            shutil.chown(self.folder, "postgres", "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]
        data = self.folder / "data"
        subprocess.run([*self._as, str(self.bin / "initdb"), "-D", str(data), "-U", "hatbot",
                        "-A", "trust", "--no-sync", "-E", "UTF8"],
                       check=True, capture_output=True)
        self.data = data

    def start(self) -> None:
        self.process = subprocess.Popen(
            [*self._as, str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port),
             "-k", str(self.folder), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, timeout=30)
        self._wait_until_accepting(timeout=30)

    def _wait_until_accepting(self, timeout: float) -> None:
        """The port opens before PostgreSQL takes connections ("the database system is
        starting up"): wait until one is taken."""
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(f"postgresql://hatbot@127.0.0.1:{self.port}/postgres",
                                     connect_timeout=5):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://hatbot@127.0.0.1:{self.port}/{database}"

    def new_database(self, name: str) -> str:
        """A fresh, empty database; its URL."""
        import psycopg

        with psycopg.connect(f"postgresql://hatbot@127.0.0.1:{self.port}/postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
