"""Webhook URLs cannot point the server at itself or its network: checked when set (platform
admins only) and again at delivery, which connects to the checked address and follows nothing."""

import asyncio
import ipaddress
import json
import ssl
import subprocess
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import httpx
import pytest
from httpx import AsyncClient
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import get_settings
from app.referrals import outbound
from app.referrals.models import OrganizationWebhook
from app.referrals.notifications import post
from tests.accounts import make_account, organization_id
from tests.referrals.helpers import PROVIDER

PUBLIC = "93.184.215.14"


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 and a free port, answering `status` (and `headers`);
    with `hold`, it keeps each request open until the event is set."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    hold: asyncio.Event | None = None
    tls: ssl.SSLContext | None = None
    requests: list[Received] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    port: int = 0
    _server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}/hook"

    async def __aenter__(self) -> "Receiver":
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.hold is not None:
            self.hold.set()
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            method, path, _ = head[0].split(" ", 2)
            headers = {
                name.strip().lower(): value.strip()
                for name, _, value in (line.partition(":") for line in head[1:] if line)
            }
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.requests.append(Received(method, path, headers, body))
            self.arrived.set()
            if self.hold is not None:
                await self.hold.wait()
            extra = "".join(f"{name}: {value}\r\n" for name, value in self.headers.items())
            writer.write(
                f"HTTP/1.1 {self.status} X\r\n{extra}Content-Length: 2\r\n"
                "Connection: close\r\n\r\nok".encode()
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def servers() -> AsyncIterator[AsyncExitStack]:
    """Receivers entered on this stack are stopped when the test ends."""
    async with AsyncExitStack() as stack:
        yield stack


def configure(monkeypatch: pytest.MonkeyPatch, *allowed: str, development: bool = False) -> None:
    """The settings the webhook checks see: an allowlist, and development mode (plain http)."""
    settings = get_settings().model_copy(
        update={
            "webhook_allowed_hosts": list(allowed),
            "environment": "development" if development else get_settings().environment,
        }
    )
    monkeypatch.setattr(outbound, "get_settings", lambda: settings)


def resolve_as(monkeypatch: pytest.MonkeyPatch, names: dict[str, str]) -> None:
    """A DNS answer for these names (the rest resolve for real)."""
    real = outbound.resolve

    async def fake(host: str, port: int) -> list[outbound.IPAddress]:
        if host in names:
            return [ipaddress.ip_address(names[host])]
        return await real(host, port)

    monkeypatch.setattr(outbound, "resolve", fake)


async def _put(
    client: AsyncClient, session: AsyncSession, url: str, *, role: str = "admin", **headers: str
) -> httpx.Response:
    account = await make_account(session, role=role, organization=PROVIDER)
    org = await organization_id(session, PROVIDER)
    return await client.put(
        f"/organizations/{org}/webhook", json={"url": url}, headers={**account.headers, **headers}
    )


DB_PORT = make_url(get_settings().database_url).port or 5432


@pytest.mark.parametrize(
    ("url", "why"),
    [
        (f"http://{PUBLIC}/hook", "https"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        (f"https://127.0.0.1:{DB_PORT}/", "loopback"),
        ("https://localhost/hook", "loopback"),
        ("https://[::1]/hook", "loopback"),
        ("https://10.1.2.3/hook", "private"),
        ("https://192.168.1.10/hook", "private"),
        ("https://100.64.0.1/hook", "shared"),
        ("https://[::ffff:127.0.0.1]/hook", "loopback"),
        ("https://[64:ff9b::a01:203]/hook", "private"),  # NAT64 form of 10.1.2.3
        ("https://[2002:7f00:1::]/hook", "loopback"),  # 6to4 form of 127.0.0.1
        ("https://[fe80::1]/hook", "link-local"),
        ("https://[fd00::1]/hook", "private"),
        ("https://224.0.0.1/hook", "multicast"),
        ("https://[ff02::1]/hook", "multicast"),
        ("https://0.0.0.0/hook", "unspecified"),
        ("https://240.0.0.1/hook", "reserved"),
        ("https://webhook.invalid/hook", "does not resolve"),
        (f"https://user:secret@{PUBLIC}/hook", "user name or password"),
    ],
)
async def test_unsafe_webhook_urls_are_refused_naming_the_field_and_the_reason(
    client: AsyncClient, session: AsyncSession, url: str, why: str
) -> None:
    response = await _put(client, session, url)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert [e["parameter"] for e in problem["errors"]] == ["url"]
    assert why in problem["detail"]
    assert await session.get(OrganizationWebhook, await organization_id(session, PROVIDER)) is None


async def test_the_refusal_is_in_bangla_too(client: AsyncClient, session: AsyncSession) -> None:
    response = await _put(client, session, "https://127.0.0.1/hook", **{"Accept-Language": "bn"})

    assert response.status_code == 422
    assert "লুপব্যাক" in response.json()["detail"]


async def test_a_public_address_is_accepted_without_contacting_it(
    client: AsyncClient, session: AsyncSession
) -> None:
    response = await _put(client, session, f"https://{PUBLIC}/hook")

    assert response.status_code == 204, response.text
    hook = await session.get(OrganizationWebhook, await organization_id(session, PROVIDER))
    assert hook is not None
    assert hook.url == f"https://{PUBLIC}/hook"


@pytest.mark.parametrize("allowed", ["127.0.0.1/32", "127.0.0.0/8", "localhost"])
async def test_an_allowlisted_local_receiver_is_accepted(
    client: AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch, allowed: str
) -> None:
    configure(monkeypatch, allowed)
    host = "localhost" if allowed == "localhost" else "127.0.0.1"

    response = await _put(client, session, f"https://{host}:8443/hook")

    assert response.status_code == 204, response.text


async def test_the_allowlist_names_hosts_not_everything_local(
    client: AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, "hooks.internal", "10.20.0.0/16")

    assert (await _put(client, session, "https://10.20.1.5/hook")).status_code == 204
    assert (await _put(client, session, "https://10.21.1.5/hook")).status_code == 422
    assert (await _put(client, session, "https://127.0.0.1/hook")).status_code == 422


async def test_plain_http_is_allowed_in_development_only(
    client: AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(monkeypatch, development=True)

    assert (await _put(client, session, f"http://{PUBLIC}/hook")).status_code == 204
    assert (await _put(client, session, "http://127.0.0.1/hook")).status_code == 422


@pytest.mark.parametrize("role", ["org_admin", "district_admin", "caseworker"])
async def test_only_platform_admins_set_or_remove_webhooks(
    client: AsyncClient, session: AsyncSession, role: str
) -> None:
    # the organization's own admin and its district's admin too: the URL decides where the
    # server sends requests
    account = await make_account(session, role=role, organization=PROVIDER, districts=("BD4041",))
    org = await organization_id(session, PROVIDER)

    put = await client.put(
        f"/organizations/{org}/webhook",
        json={"url": f"https://{PUBLIC}/h"},
        headers=account.headers,
    )
    delete = await client.delete(f"/organizations/{org}/webhook", headers=account.headers)

    assert (put.status_code, delete.status_code) == (403, 403)
    assert await session.get(OrganizationWebhook, org) is None


async def test_an_unknown_organization_is_a_404(client: AsyncClient, session: AsyncSession) -> None:
    admin = await make_account(session, role="admin")
    unknown = uuid.uuid4()

    put = await client.put(
        f"/organizations/{unknown}/webhook",
        json={"url": f"https://{PUBLIC}/h"},
        headers=admin.headers,
    )
    delete = await client.delete(f"/organizations/{unknown}/webhook", headers=admin.headers)

    assert (put.status_code, delete.status_code) == (404, 404)
    assert put.headers["content-type"].startswith("application/problem+json")
    assert str(unknown) in put.json()["detail"]


async def test_an_admin_removes_a_webhook(client: AsyncClient, session: AsyncSession) -> None:
    admin = await make_account(session, role="admin")
    org = await organization_id(session, PROVIDER)
    await client.put(
        f"/organizations/{org}/webhook", json={"url": f"https://{PUBLIC}/h"}, headers=admin.headers
    )

    response = await client.delete(f"/organizations/{org}/webhook", headers=admin.headers)

    assert response.status_code == 204
    assert await session.get(OrganizationWebhook, org) is None


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("8.8.8.8", None),
        ("2606:4700::1111", None),
        ("::ffff:8.8.8.8", None),  # the IPv4 address in another form
        ("169.254.169.254", "link-local"),
        ("::ffff:169.254.169.254", "link-local"),
        ("64:ff9b::7f00:1", "loopback"),
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", "loopback"),  # Teredo, client 127.0.0.1
        ("2001:0:4136:e378:8000:63bf:f7f7:f7f7", "private"),  # Teredo itself is not global
        ("198.18.0.1", "private"),  # benchmarking
        ("192.0.2.1", "private"),  # documentation
        ("100.127.255.255", "shared"),
        ("0.1.2.3", "private"),
        ("::", "unspecified"),
    ],
)
def test_address_classification(address: str, reason: str | None) -> None:
    problem = outbound.address_problem(ipaddress.ip_address(address))

    if reason is None:
        assert problem is None
    else:
        assert problem is not None
        english, bangla = problem
        assert reason in english
        assert bangla


async def test_a_post_follows_no_redirect(
    servers: AsyncExitStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = await servers.enter_async_context(Receiver())
    redirecting = await servers.enter_async_context(
        Receiver(status=302, headers={"Location": elsewhere.url})
    )
    configure(monkeypatch, "127.0.0.1", development=True)
    target = await outbound.check_webhook_url(redirecting.url)

    # even a client that would follow redirects does not, for a webhook
    async with httpx.AsyncClient(follow_redirects=True, trust_env=False) as http:
        error = await post(http, target, {"event": "requested"})

    assert error is not None
    assert "302" in error
    assert "not followed" in error
    assert len(redirecting.requests) == 1
    assert elsewhere.requests == []


async def test_a_post_connects_to_the_checked_address_under_the_urls_host_name(
    servers: AsyncExitStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver = await servers.enter_async_context(Receiver())
    configure(monkeypatch, "127.0.0.1/32", development=True)
    resolve_as(monkeypatch, {"hooks.example": "127.0.0.1"})
    target = await outbound.check_webhook_url(f"http://hooks.example:{receiver.port}/in?x=1")

    async with httpx.AsyncClient(trust_env=False) as http:
        assert await post(http, target, {"event": "requested"}) is None

    (request,) = receiver.requests
    assert request.headers["host"] == f"hooks.example:{receiver.port}"
    assert request.path == "/in?x=1"
    assert json.loads(request.body) == {"event": "requested"}


def _certificate(directory: Path, name: str) -> tuple[Path, Path]:
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            f"/CN={name}",
            "-addext",
            f"subjectAltName=DNS:{name}",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.parametrize(
    ("served", "accepted"), [("hooks.example", True), ("other.example", False)]
)
async def test_https_to_the_checked_address_sends_and_verifies_the_urls_name(
    servers: AsyncExitStack,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    served: str,
    accepted: bool,
) -> None:
    cert, key = _certificate(tmp_path, served)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    names: list[str] = []

    def remember(_sock: ssl.SSLObject, name: str, _ctx: ssl.SSLContext) -> None:
        names.append(name)

    server_tls.sni_callback = remember
    receiver = await servers.enter_async_context(Receiver(tls=server_tls))
    configure(monkeypatch, "hooks.example")
    resolve_as(monkeypatch, {"hooks.example": "127.0.0.1"})
    target = await outbound.check_webhook_url(f"https://hooks.example:{receiver.port}/hook")
    client_tls = ssl.create_default_context(cafile=str(cert))

    async with httpx.AsyncClient(verify=client_tls, trust_env=False) as http:
        error = await post(http, target, {"event": "requested"})

    assert names == ["hooks.example"]
    if accepted:
        assert error is None
        assert receiver.requests[0].headers["host"] == f"hooks.example:{receiver.port}"
    else:  # the certificate must match the URL's name, not just be valid for the address
        assert error is not None
        assert "certificate" in error.lower()
        assert receiver.requests == []
