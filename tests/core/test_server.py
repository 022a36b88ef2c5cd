"""The server's front door (app/server.py), tested on the real server as a subprocess: the
request head limit, the head, body and keep-alive timeouts, and X-Forwarded-For."""

import select
import socket
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from pydantic import ValidationError

from app.core.config import Settings
from tests.serving import (
    ROOT,
    Server,
    closed_by_peer,
    delete_login_failures,
    login_failure_clients,
    read_response,
    request_bytes,
    serve,
)

# shortened for the tests; the defaults are 10, 30 and 5 seconds
HEAD_TIMEOUT = 1.0
BODY_TIMEOUT = 1.0
KEEP_ALIVE = 1
LIMIT = 16 * 1024


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The server with the default head limit, short timeouts and a sign-in limit of 2."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    with serve(
        database_url,
        log,
        REQUEST_HEADER_TIMEOUT_SECONDS=str(HEAD_TIMEOUT),
        REQUEST_BODY_TIMEOUT_SECONDS=str(BODY_TIMEOUT),
        KEEP_ALIVE_TIMEOUT_SECONDS=str(KEEP_ALIVE),
        LOGIN_FAILURE_LIMIT="2",
    ) as running:
        yield running


@pytest.fixture(scope="module")
def proxied_server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The server believing X-Forwarded-For from 127.0.0.1."""
    log = tmp_path_factory.mktemp("proxied") / "server.log"
    with serve(
        database_url, log, FORWARDED_ALLOW_IPS="127.0.0.1", LOGIN_FAILURE_LIMIT="2"
    ) as running:
        yield running


@pytest.fixture
def account(database_url: str) -> Iterator[str]:
    """An account name nobody has, whose sign-in failures are removed afterwards."""
    name = f"edge-{uuid.uuid4().hex[:12]}@example.test"
    yield name
    delete_login_failures(database_url, name)


def connect(server: Server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def test_a_head_over_the_limit_gets_431_problem_json(server: Server) -> None:
    response = httpx.get(server.url + "/healthz", headers={"X-Padding": "a" * 20 * 1024})

    assert response.status_code == 431
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["connection"] == "close"
    body = response.json()
    assert body["status"] == 431
    assert body["type"].endswith("/request-header-fields-too-large")
    assert str(LIMIT) in body["detail"]
    assert str(LIMIT) in body["detail_bn"]
    assert "হেডার" in body["detail_bn"]


def test_a_head_under_the_limit_passes(server: Server) -> None:
    response = httpx.get(server.url + "/healthz", headers={"X-Padding": "a" * 15 * 1024})

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_limit_is_per_request_and_leaves_bodies_alone(server: Server) -> None:
    padding = "X-Padding: " + "a" * 12 * 1024
    with connect(server) as sock:
        # two heads of 12 KiB on one keep-alive connection: 24 KiB together, each under 16 KiB
        for _ in range(2):
            sock.sendall(request_bytes("/healthz", padding))
            assert read_response(sock).status == 200
        # a body larger than the head limit is the body limit's business (64 KiB), not this one
        body = b'{"comment": "' + b"a" * 40 * 1024 + b'"}'
        sock.sendall(
            request_bytes(
                "/corrections",
                "Content-Type: application/json",
                f"Content-Length: {len(body)}",
                method="POST",
            )
            + body
        )
        assert read_response(sock).status == 422


def test_a_huge_header_is_cut_off_early_and_costs_no_memory(server: Server) -> None:
    httpx.get(server.url + "/healthz").raise_for_status()
    before = server.rss_kib()
    chunk = b"a" * 64 * 1024
    total = 64 * 1024 * 1024
    for _ in range(4):
        sent, answer = 0, b""
        with connect(server) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Huge: ")
            try:
                while sent < total:
                    readable, _, _ = select.select([sock], [], [], 0)
                    if readable:
                        answer = sock.recv(65536)
                        break
                    sock.sendall(chunk)
                    sent += len(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass  # closed on us: just as good
        # the server answered or closed after a few MiB (socket buffers), not after 64
        assert sent < 16 * 1024 * 1024, sent
        assert not answer or answer.startswith(b"HTTP/1.1 431 "), answer[:100]
    assert server.rss_kib() - before < 4 * 1024, (before, server.rss_kib())
    assert httpx.get(server.url + "/healthz").status_code == 200


def test_a_stalled_head_gets_408_and_the_connection_is_closed(server: Server) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        started = time.monotonic()
        response = read_response(sock)
        waited = time.monotonic() - started

        assert response.status == 408
        assert response.headers["content-type"] == "application/problem+json"
        assert b"request line and headers" in response.body
        assert HEAD_TIMEOUT * 0.9 <= waited < HEAD_TIMEOUT + 2
        assert closed_by_peer(sock, timeout=5)


def test_a_connection_that_sends_nothing_is_closed_after_the_head_timeout(server: Server) -> None:
    with connect(server) as sock:
        started = time.monotonic()
        assert read_response(sock).status == 408
        assert time.monotonic() - started < HEAD_TIMEOUT + 2
        assert closed_by_peer(sock, timeout=5)


def test_a_stalled_body_gets_408(server: Server) -> None:
    with connect(server) as sock:
        sock.sendall(
            request_bytes(
                "/corrections",
                "Content-Type: application/json",
                "Content-Length: 100",
                method="POST",
            )
            + b'{"comment": '
        )
        started = time.monotonic()
        response = read_response(sock)

        assert response.status == 408
        assert b"request body" in response.body
        assert BODY_TIMEOUT * 0.9 <= time.monotonic() - started < BODY_TIMEOUT + 2
        assert closed_by_peer(sock, timeout=5)


def test_an_idle_keep_alive_connection_is_closed_after_its_timeout(server: Server) -> None:
    with connect(server) as sock:
        sock.sendall(request_bytes("/healthz"))
        assert read_response(sock).status == 200
        started = time.monotonic()

        assert closed_by_peer(sock, timeout=KEEP_ALIVE + 3)
        assert time.monotonic() - started >= KEEP_ALIVE * 0.9


def sign_in(server: Server, account: str, **headers: str) -> int:
    response = httpx.post(
        server.url + "/auth/token",
        data={"username": account, "password": "not-the-password"},
        headers=headers,
    )
    return response.status_code


def test_x_forwarded_for_is_ignored_by_default(
    server: Server, account: str, database_url: str
) -> None:
    assert [sign_in(server, account) for _ in range(2)] == [401, 401]
    assert sign_in(server, account) == 429

    assert sign_in(server, account, **{"X-Forwarded-For": "203.0.113.9"}) == 429
    assert set(login_failure_clients(database_url, account)) == {"127.0.0.1"}


def test_x_forwarded_for_is_believed_from_a_named_proxy(
    proxied_server: Server, account: str, database_url: str
) -> None:
    assert [sign_in(proxied_server, account) for _ in range(2)] == [401, 401]
    assert sign_in(proxied_server, account) == 429

    # the proxy at 127.0.0.1 says the request comes from elsewhere: a client of its own
    assert sign_in(proxied_server, account, **{"X-Forwarded-For": "203.0.113.9"}) == 401
    assert login_failure_clients(database_url, account)[-1] == "203.0.113.9"


def test_forwarded_allow_ips_takes_addresses_and_networks_only() -> None:
    settings = Settings(forwarded_allow_ips=" 172.30.89.10, 10.0.0.0/24,::1 ")
    assert settings.trusted_proxies == ["172.30.89.10", "10.0.0.0/24", "::1"]
    assert Settings().trusted_proxies == []
    for wrong in ("*", "proxy.local", "10.0.0.0/33"):
        with pytest.raises(ValidationError, match="FORWARDED_ALLOW_IPS"):
            Settings(forwarded_allow_ips=wrong)


def test_make_run_serves_through_the_server_and_trusts_no_proxy() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    run = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]

    assert "directory serve" in run
    assert "uvicorn" not in run
    assert "FORWARDED_ALLOW_IPS= " in run


def test_the_limits_are_settings_with_safe_defaults() -> None:
    settings = Settings()
    assert settings.max_header_bytes == 16 * 1024
    assert settings.request_header_timeout_seconds == 10
    assert settings.request_body_timeout_seconds == 30
    assert settings.keep_alive_timeout_seconds == 5
