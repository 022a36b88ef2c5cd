"""One public base URL: PUBLIC_BASE_URL, else where the server listens (it follows PORT)."""

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.core.config import Settings
from tests.serving import serve


def test_the_base_url_is_the_setting_or_where_the_server_listens() -> None:
    assert (
        Settings(public_base_url="https://dir.example.org/").base_url == "https://dir.example.org"
    )
    assert Settings(server_port=8101).base_url == "http://127.0.0.1:8101"
    assert Settings(server_host="0.0.0.0", server_port=9000).base_url == "http://127.0.0.1:9000"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def on_a_port(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port = _free_port()
    log: Path = tmp_path_factory.mktemp("base-url") / "server.log"
    with serve(database_url, log, port=port, PUBLIC_BASE_URL=""):
        yield port


def test_the_api_root_advertises_the_port_the_server_listens_on(on_a_port: int) -> None:
    root = httpx.get(f"http://127.0.0.1:{on_a_port}/").json()

    assert root["openapi_url"] == f"http://127.0.0.1:{on_a_port}/openapi.json"
