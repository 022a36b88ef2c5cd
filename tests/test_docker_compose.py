"""The Docker deployment files hang together: checked by parsing, no Docker engine needed; the
Caddyfile is validated and run by Caddy in front of the real API."""

import ipaddress
import os
import re
import shlex
import shutil
import socket
import ssl
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml

from app.core.config import Settings
from tests.serving import delete_login_failures, login_failure_clients, serve, stop

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENTRYPOINT = ROOT / "scripts" / "docker-entrypoint.sh"
CADDYFILE = ROOT / "deploy" / "Caddyfile"

# Distinct values for every variable the compose file reads, so a mix-up shows.
SENTINELS = {
    "POSTGRES_USER": "user_sentinel",
    "POSTGRES_PASSWORD": "password_sentinel",
    "POSTGRES_DB": "db_sentinel",
    "MEILI_MASTER_KEY": "master_key_sentinel_0123456789",
    "PUBLIC_BASE_URL": "https://directory.example.org",
    "SECRET_KEY": "secret_key_sentinel_0123456789_abcdefghij",
    "SITE_ADDRESS": "directory.example.org",
}
REQUIRED = ("MEILI_MASTER_KEY", "SECRET_KEY")

_VARIABLE = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|\$(?P<bare>\w+)")


class MissingVariable(Exception):
    """A `${NAME:?message}` variable that is not set."""


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's variable substitution (`${X}`, `${X:-default}`, `${X:?error}`, `$$`)."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("name") or match.group("bare")
        op, arg = match.group("op"), match.group("arg")
        current = env.get(name)
        unset = current is None or (current == "" and op is not None and op.startswith(":"))
        if op is not None and op.endswith("-") and unset:
            return arg
        if op is not None and op.endswith("?") and unset:
            raise MissingVariable(f"{name}: {arg}")
        return current or ""

    return _VARIABLE.sub(substitute, value)


def raw_compose() -> dict[str, Any]:
    config = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(config, dict)
    return config


def compose(env: dict[str, str] | None = None) -> dict[str, Any]:
    config = interpolate(raw_compose(), SENTINELS if env is None else env)
    assert isinstance(config, dict)
    return config


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment, written as a mapping or as a list of NAME=value."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {name: str(value) for name, value in env.items()}


def healthcheck_command(service: dict[str, Any]) -> str:
    test = service["healthcheck"]["test"]
    if isinstance(test, str):
        return test
    assert test[0] in {"CMD", "CMD-SHELL"}, test
    return " ".join(test[1:])


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    pairs = []
    for line in joined.splitlines():
        if line.strip():
            instruction, _, arguments = line.strip().partition(" ")
            pairs.append((instruction.upper(), arguments.strip()))
    return pairs


def entrypoint_serve_args() -> list[str]:
    text = ENTRYPOINT.read_text(encoding="utf-8")
    match = re.search(r"^exec directory serve ((?:.*\\\n)*.*)$", text, re.MULTILINE)
    assert match, "the entrypoint does not exec `directory serve`"
    return shlex.split(match.group(1).replace("\\\n", " "))


def option(args: list[str], name: str) -> str:
    assert name in args, f"uvicorn is started without {name}"
    return args[args.index(name) + 1]


def test_the_services_and_their_volumes_are_declared() -> None:
    config = compose()
    assert "version" not in config, "the compose spec has no `version:` key"
    assert {"db", "meilisearch", "api", "proxy"} <= set(config["services"])
    assert {"pgdata", "meilidata", "caddydata", "caddyconfig"} <= set(config["volumes"])
    mounted = {
        volume.split(":", 1)[0]
        for service in config["services"].values()
        for volume in service.get("volumes", [])
    }
    assert {"pgdata", "meilidata", "caddydata", "caddyconfig"} <= mounted


def test_images_are_pinned() -> None:
    services = compose()["services"]
    # the Meilisearch version `make test` and CI run (scripts/search-deps.txt)
    tested = (ROOT / "scripts" / "search-deps.txt").read_text(encoding="utf-8").split()[-1]
    assert services["meilisearch"]["image"] == f"getmeili/meilisearch:v{tested}"
    match = re.fullmatch(r"postgis/postgis:(\d+)-\d+\.\d+", services["db"]["image"])
    assert match, services["db"]["image"]
    assert match.group(1) == "15"
    caddy = re.fullmatch(r"caddy:(\d+)\.(\d+)\.(\d+)-alpine", services["proxy"]["image"])
    assert caddy, services["proxy"]["image"]
    assert tuple(map(int, caddy.groups())) >= (2, 8, 4)


def test_database_is_initialised_with_utf8_and_a_c_utf8_locale() -> None:
    args = environment(compose()["services"]["db"])["POSTGRES_INITDB_ARGS"]
    assert "C.UTF-8" in args
    assert re.search(r"--encoding=UTF-?8|-E\s*UTF-?8", args, re.IGNORECASE)


def test_api_builds_from_this_dockerfile_and_runs_the_entrypoint() -> None:
    build = compose()["services"]["api"]["build"]
    context = build if isinstance(build, str) else build.get("context", ".")
    assert context == "."
    assert DOCKERFILE.is_file()
    instructions = dockerfile_instructions()
    bases = [arguments for instruction, arguments in instructions if instruction == "FROM"]
    assert bases
    assert all(base.split()[0] == "python:3.11-slim-bookworm" for base in bases)
    starts = [
        arguments for instruction, arguments in instructions if instruction in {"ENTRYPOINT", "CMD"}
    ]
    assert any("scripts/docker-entrypoint.sh" in arguments for arguments in starts)
    users = [arguments for instruction, arguments in instructions if instruction == "USER"]
    assert users
    assert users[-1] not in {"root", "0", "0:0"}


def test_dockerfile_copies_only_what_exists_and_is_not_ignored() -> None:
    ignored = {
        line.strip().rstrip("/")
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv", ".data", ".git", "tests", "bench/results"} <= ignored
    copied: set[str] = set()
    for instruction, arguments in dockerfile_instructions():
        if instruction == "COPY" and "--from" not in arguments:
            sources = [arg for arg in shlex.split(arguments) if not arg.startswith("--")][:-1]
            copied.update(source.rstrip("/") for source in sources if "*" not in source)
    expected = {"pyproject.toml", "alembic.ini", "alembic", "app", "search", "directory_data"}
    assert expected | {"scripts/docker-entrypoint.sh"} <= copied
    for source in copied:
        assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
        assert source not in ignored, f"COPY {source}: excluded by .dockerignore"


def test_entrypoint_migrates_seeds_then_serves() -> None:
    lines = ENTRYPOINT.read_text(encoding="utf-8").splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    steps = ["alembic upgrade head", "directory load-seed", "exec directory serve"]
    positions = [text.find(step) for step in steps]
    assert all(position >= 0 for position in positions), positions
    assert positions == sorted(positions)
    assert "uvicorn" not in text, "uvicorn is started by `directory serve`, with its limits"
    args = entrypoint_serve_args()
    assert option(args, "--host") == "0.0.0.0"
    assert option(args, "--workers") == "${WEB_CONCURRENCY:-2}"


def test_entrypoint_is_valid_shell() -> None:
    shell = shutil.which("sh")
    if shell is None:
        pytest.skip("no sh")
    result = subprocess.run(
        [shell, "-n", str(ENTRYPOINT)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_api_port_is_the_one_it_serves_and_the_healthchecks_probe() -> None:
    api = compose()["services"]["api"]
    port = option(entrypoint_serve_args(), "--port")
    assert "ports" not in api, "the API is reached through the proxy only"
    assert [str(exposed) for exposed in api["expose"]] == [port]
    assert f"http://127.0.0.1:{port}/readyz" in healthcheck_command(api)
    instructions = dockerfile_instructions()
    assert ("EXPOSE", port) in instructions
    healthchecks = [
        arguments for instruction, arguments in instructions if instruction == "HEALTHCHECK"
    ]
    assert healthchecks
    assert f"http://127.0.0.1:{port}/healthz" in healthchecks[0]


def test_database_url_points_at_the_db_service_with_its_credentials() -> None:
    for env in (SENTINELS, {name: SENTINELS[name] for name in REQUIRED}):
        services = compose(env)["services"]
        db = environment(services["db"])
        url = urlsplit(environment(services["api"])["DATABASE_URL"])
        assert url.scheme == "postgresql+psycopg"
        assert url.hostname == "db"
        assert url.hostname in services
        assert url.port == 5432
        assert url.username == db["POSTGRES_USER"]
        assert url.password == db["POSTGRES_PASSWORD"]
        assert url.path == "/" + db["POSTGRES_DB"]
    # With the sentinels, each value came from its own variable.
    db = environment(compose()["services"]["db"])
    assert db["POSTGRES_USER"] == SENTINELS["POSTGRES_USER"]
    assert db["POSTGRES_PASSWORD"] == SENTINELS["POSTGRES_PASSWORD"]
    assert db["POSTGRES_DB"] == SENTINELS["POSTGRES_DB"]


def test_meilisearch_url_and_key_reach_the_meilisearch_service() -> None:
    services = compose()["services"]
    api = environment(services["api"])
    url = urlsplit(api["MEILI_URL"])
    assert url.hostname == "meilisearch"
    assert url.hostname in services
    assert url.port == 7700
    meili = environment(services["meilisearch"])
    assert meili["MEILI_ENV"] == "production"
    assert api["MEILI_API_KEY"] == meili["MEILI_MASTER_KEY"] == SENTINELS["MEILI_MASTER_KEY"]
    assert f":{url.port}/health" in healthcheck_command(services["meilisearch"])


def test_the_meilisearch_master_key_is_required() -> None:
    env = {name: value for name, value in SENTINELS.items() if name != "MEILI_MASTER_KEY"}
    with pytest.raises(MissingVariable, match="MEILI_MASTER_KEY"):
        compose(env)


def test_api_waits_for_healthy_dependencies() -> None:
    services = compose()["services"]
    depends_on = services["api"]["depends_on"]
    assert isinstance(depends_on, dict), "depends_on needs conditions, not a bare list"
    for name in ("db", "meilisearch"):
        assert depends_on[name]["condition"] == "service_healthy"
        assert healthcheck_command(services[name])
    assert "pg_isready" in healthcheck_command(services["db"])
    assert services["api"]["healthcheck"]["test"]
    assert services["api"]["restart"] == "unless-stopped"


def test_api_environment_is_made_of_settings() -> None:
    env = environment(compose()["services"]["api"])
    unknown = [name for name in env if name.lower() not in Settings.model_fields]
    assert not unknown, f"not settings of app.core.config.Settings: {unknown}"
    assert env["ENVIRONMENT"] == "production"
    # Validation also checks ENVIRONMENT and SEARCH_BACKEND against their allowed values.
    settings = Settings.model_validate({name.lower(): value for name, value in env.items()})
    assert settings.search_backend == "meilisearch"
    assert settings.environment == "production"
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert settings.meili_url == "http://meilisearch:7700"


def test_the_image_names_the_migrations_it_ships() -> None:
    instructions = dockerfile_instructions()
    env = " ".join(arguments for instruction, arguments in instructions if instruction == "ENV")
    assert "ALEMBIC_CONFIG=/app/alembic.ini" in env
    assert ("WORKDIR", "/app") in instructions
    assert ("COPY", "alembic.ini ./") in instructions


# --- the proxy ----------------------------------------------------------------------------------


def caddyfile() -> str:
    """The Caddyfile without its comments."""
    lines = CADDYFILE.read_text(encoding="utf-8").splitlines()
    return "\n".join(line.split("#", 1)[0].rstrip() for line in lines)


def caddy_directive(name: str) -> str:
    """The single argument of the Caddyfile directive `name` (which may open a block)."""
    values = re.findall(rf"^\s*{name}\s+(\S+)(?: \{{)?$", caddyfile(), re.MULTILINE)
    assert len(values) == 1, (name, values)
    return str(values[0])


def caddy_bytes(size: str) -> int:
    match = re.fullmatch(r"(\d+)(KiB|MiB)?", size)
    assert match, f"{size}: write sizes in KiB or MiB (Caddy's KB is 1000 bytes)"
    return int(match.group(1)) * {None: 1, "KiB": 1024, "MiB": 1024 * 1024}[match.group(2)]


def caddy_seconds(duration: str) -> float:
    match = re.fullmatch(r"(\d+)s", duration)
    assert match, duration
    return float(match.group(1))


def test_only_the_proxy_publishes_ports() -> None:
    services = compose()["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    ports = {str(mapping) for mapping in services["proxy"]["ports"]}
    assert {"80:80", "443:443"} <= ports


def test_the_proxy_serves_the_repository_caddyfile_at_the_site_address() -> None:
    proxy = compose()["services"]["proxy"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert CADDYFILE.is_file()
    assert environment(proxy)["SITE_ADDRESS"] == SENTINELS["SITE_ADDRESS"]
    unset = {name: value for name, value in SENTINELS.items() if name != "SITE_ADDRESS"}
    assert environment(compose(unset)["services"]["proxy"])["SITE_ADDRESS"] == "localhost"
    assert re.search(r"^\{\$SITE_ADDRESS:localhost\} \{$", caddyfile(), re.MULTILINE)
    assert "skip_install_trust" in caddyfile()


def test_the_proxy_forwards_to_the_api_port() -> None:
    services = compose()["services"]
    upstream = environment(services["proxy"])["API_UPSTREAM"]
    host, _, port = upstream.partition(":")
    assert host == "api"
    assert host in services
    assert port == option(entrypoint_serve_args(), "--port")
    # the Caddyfile's default is the compose upstream too
    assert caddy_directive("reverse_proxy") == f"{{$API_UPSTREAM:{upstream}}}"


def test_forwarded_headers_are_believed_from_the_proxy_alone() -> None:
    config = compose()
    services, networks = config["services"], config["networks"]
    proxy_networks = services["proxy"]["networks"]
    assert set(proxy_networks) == {"edge"}
    address = ipaddress.ip_address(proxy_networks["edge"]["ipv4_address"])
    (subnet,) = networks["edge"]["ipam"]["config"]
    assert address in ipaddress.ip_network(subnet["subnet"])
    api = environment(services["api"])
    assert Settings(forwarded_allow_ips=api["FORWARDED_ALLOW_IPS"]).trusted_proxies == [
        str(address)
    ]
    # the API is on both networks; PostgreSQL and Meilisearch only on the internal one
    assert set(services["api"]["networks"]) == {"edge", "backend"}
    for name in ("db", "meilisearch"):
        assert set(services[name]["networks"]) == {"backend"}
    assert networks["backend"]["internal"] is True


def test_the_proxy_waits_for_a_ready_api() -> None:
    services = compose()["services"]
    assert services["proxy"]["depends_on"]["api"]["condition"] == "service_healthy"
    assert "/readyz" in healthcheck_command(services["api"])
    assert services["proxy"]["restart"] == "unless-stopped"


def test_the_proxy_and_the_api_have_the_same_limits_and_timeouts() -> None:
    api = Settings.model_validate(
        {name.lower(): value for name, value in environment(compose()["services"]["api"]).items()}
    )
    defaults = Settings()
    for settings in (api, defaults):
        assert caddy_bytes(caddy_directive("max_header_size")) == settings.max_header_bytes
        assert caddy_bytes(caddy_directive("max_size")) == settings.max_body_bytes
        assert (
            caddy_seconds(caddy_directive("read_header")) == settings.request_header_timeout_seconds
        )
        assert caddy_seconds(caddy_directive("read_body")) == settings.request_body_timeout_seconds
        assert caddy_seconds(caddy_directive("idle")) == settings.keep_alive_timeout_seconds
        # Caddy must drop an idle upstream connection before the API does, never reuse one the
        # API is closing
        assert caddy_seconds(caddy_directive("keepalive")) < settings.keep_alive_timeout_seconds


# --- Caddy itself, in front of the API ------------------------------------------------------------


def caddy_binary() -> str:
    """Caddy as scripts/setup.sh provides it (unpacked from Debian's package), or installed."""
    local = ROOT / ".data" / "caddy" / "usr" / "bin" / "caddy"
    found = str(local) if local.is_file() else shutil.which("caddy")
    assert found, "no caddy: `make setup` unpacks Debian's into .data/caddy"
    return found


def caddy_environment(home: Path, **variables: str) -> dict[str, str]:
    """Caddy's environment: its data and configuration under `home`, nothing of this machine's."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        **variables,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_caddy_accepts_the_caddyfile(tmp_path: Path) -> None:
    result = subprocess.run(
        [caddy_binary(), "validate", "--adapter", "caddyfile", "--config", str(CADDYFILE)],
        env=caddy_environment(tmp_path),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Valid configuration" in result.stdout + result.stderr


@dataclass
class Proxy:
    url: str
    root_certificate: Path


@pytest.fixture(scope="module")
def proxy(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    """The repository's Caddyfile run by Caddy on free ports with its internal CA, in front of
    the API, which believes X-Forwarded-For from 127.0.0.1 (Caddy) only."""
    home = tmp_path_factory.mktemp("caddy")
    with serve(database_url, home / "api.log", FORWARDED_ALLOW_IPS="127.0.0.1") as api:
        https = free_port()
        env = caddy_environment(
            home,
            SITE_ADDRESS="127.0.0.1",
            HTTPS_PORT=str(https),
            HTTP_PORT=str(free_port()),
            CADDY_ADMIN="off",
            API_UPSTREAM=f"127.0.0.1:{api.port}",
        )
        command = [caddy_binary(), "run", "--adapter", "caddyfile", "--config", str(CADDYFILE)]
        log = home / "caddy.log"
        with log.open("wb") as out:
            caddy = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            running = Proxy(
                url=f"https://127.0.0.1:{https}",
                root_certificate=home / "data/caddy/pki/authorities/local/root.crt",
            )
            deadline = time.monotonic() + 30
            while True:
                assert caddy.poll() is None, log.read_text()
                try:
                    if running.root_certificate.is_file():
                        context = ssl.create_default_context(cafile=running.root_certificate)
                        httpx.get(running.url + "/healthz", verify=context).raise_for_status()
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
            yield running
        finally:
            stop(caddy)


def proxy_client(proxy: Proxy, *, source: str = "127.0.0.1") -> httpx.Client:
    """An HTTP/1.1 client of the proxy from `source` (any 127.0.0.0/8 address is this host's)."""
    context = ssl.create_default_context(cafile=proxy.root_certificate)
    transport = httpx.HTTPTransport(local_address=source, verify=context)
    return httpx.Client(transport=transport, base_url=proxy.url)


def test_the_proxy_refuses_a_20_kib_header_itself(proxy: Proxy) -> None:
    with proxy_client(proxy) as client:
        response = client.get("/healthz", headers={"X-Padding": "a" * 20 * 1024})

    assert response.status_code == 431
    # Caddy's own answer: the API's would be problem+json
    assert response.headers["content-type"].startswith("text/plain")


def test_the_proxy_passes_a_request_on_with_the_client_address(
    proxy: Proxy, database_url: str
) -> None:
    account = f"edge-{uuid.uuid4().hex[:12]}@example.test"
    try:
        with proxy_client(proxy, source="127.0.0.2") as client:
            alive = client.get("/healthz", headers={"X-Padding": "a" * 12 * 1024})
            ready = client.get("/readyz")
            # a client cannot pick its address: Caddy replaces what it claims with what it is
            refused = client.post(
                "/auth/token",
                data={"username": account, "password": "not-the-password"},
                headers={"X-Forwarded-For": "203.0.113.9"},
            )
        clients = login_failure_clients(database_url, account)
    finally:
        delete_login_failures(database_url, account)

    assert alive.status_code == 200
    assert alive.json() == {"status": "ok"}
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    assert refused.status_code == 401
    assert clients == ["127.0.0.2"]
