"""The real server (`directory serve`) as a subprocess on a port the OS picks, raw HTTP/1.1 over
a socket, and a TCP forwarder that can be cut, for tests of the server's front door."""

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.core.config import get_settings

ROOT = Path(__file__).resolve().parents[1]
DIRECTORY = Path(sys.executable).parent / "directory"
_LISTENING = re.compile(r"Uvicorn running on http://127\.0\.0\.1:(\d+)")


@dataclass
class Server:
    """A running `directory serve`."""

    process: "subprocess.Popen[bytes]"
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_kib(self) -> int:
        """The server process's resident memory (VmRSS), in KiB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="ascii")
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        assert match, status
        return int(match.group(1))

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def serve(
    database_url: str, log: Path, *, port: int | str = 0, **settings: str
) -> Iterator[Server]:
    """`directory serve` on 127.0.0.1, `port` (0: any free one), against `database_url`, with
    `settings` as environment variables on top of the test run's (ENVIRONMENT=test, its
    SECRET_KEY); stopped on exit."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ENVIRONMENT": "test",
        "SECRET_KEY": get_settings().secret_key,
        # no scheduled job may change the shared test database behind the other tests' backs
        "EXPIRY_INTERVAL_MINUTES": "0",
        "SEARCH_BACKEND": "postgres",
        "FORWARDED_ALLOW_IPS": "",
        **settings,
    }
    command = [
        str(DIRECTORY),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        server = Server(process=process, port=_wait_for_port(process, log), log=log)
        yield server
    finally:
        stop(process)


def stop(process: "subprocess.Popen[bytes]") -> None:
    """Terminate a server process, killing it if it does not end within 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _wait_for_port(process: "subprocess.Popen[bytes]", log: Path) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        match = _LISTENING.search(log.read_text(encoding="utf-8", errors="replace"))
        if match:
            return int(match.group(1))
        if process.poll() is not None:
            raise AssertionError(f"the server exited ({process.returncode}):\n{log.read_text()}")
        time.sleep(0.05)
    raise AssertionError(f"the server did not start within 60 s:\n{log.read_text()}")


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def read_response(sock: socket.socket) -> Response:
    """One HTTP/1.1 response with a Content-Length, read from `sock`."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed after {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed inside the body"
        body += chunk
    return Response(status=int(status_line.split()[1]), headers=headers, body=body[:length])


def request_bytes(path: str = "/healthz", *headers: str, method: str = "GET") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *headers, "", ""]
    return "\r\n".join(lines).encode("latin-1")


def closed_by_peer(sock: socket.socket, timeout: float) -> bool:
    """Whether the peer closes `sock` within `timeout` seconds (anything it sends is read)."""
    sock.settimeout(timeout)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def delete_login_failures(database_url: str, account: str) -> None:
    """Drop the sign-in failures a server process committed for `account`."""
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM login_failure WHERE account = :a"), {"a": account})
    engine.dispose()


def login_failure_clients(database_url: str, account: str) -> list[str]:
    """The client addresses of the committed sign-in failures for `account`."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT client FROM login_failure WHERE account = :a ORDER BY at"), {"a": account}
        )
        clients = [row[0] for row in rows]
    engine.dispose()
    return clients


class Forwarder:
    """A TCP forwarder from a local port to `target` that can be cut (connections dropped,
    nothing listening), made to stall (connections accepted, nothing forwarded) and restored
    on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self.stalling = False
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()

    def open(self) -> None:
        """Listen (again, on the same port) and forward."""
        self.stalling = False
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(0.1)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        """Stop listening and drop every forwarded connection: the database is gone."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        self._drop()

    def stall(self) -> None:
        """Drop every forwarded connection; accept new ones but send them nothing."""
        self.stalling = True
        self._drop()

    def _drop(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            with self._lock:
                self._sockets.add(client)
            if self.stalling:
                continue
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.add(upstream)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for sock in (source, sink):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        # each socket is read by one pump, which closes it when done
        with self._lock:
            self._sockets.discard(source)
        source.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextmanager
def forwarder_to(database_url: str) -> Iterator["Forwarder"]:
    """A `Forwarder` to the database of `database_url`, open until the block ends."""
    url = make_url(database_url)
    forwarder = Forwarder((url.host or "127.0.0.1", url.port or 5432))
    forwarder.open()
    try:
        yield forwarder
    finally:
        forwarder.cut()
