"""The Docker deployment files hang together: checked by parsing, no Docker engine needed."""

import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from app.core.config import Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENTRYPOINT = ROOT / "scripts" / "docker-entrypoint.sh"

# Distinct values for every variable the compose file reads, so a mix-up shows.
SENTINELS = {
    "POSTGRES_USER": "user_sentinel",
    "POSTGRES_PASSWORD": "password_sentinel",
    "POSTGRES_DB": "db_sentinel",
    "MEILI_MASTER_KEY": "master_key_sentinel_0123456789",
    "PUBLIC_BASE_URL": "https://directory.example.org",
    "SECRET_KEY": "secret_key_sentinel_0123456789_abcdefghij",
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


def entrypoint_uvicorn_args() -> list[str]:
    text = ENTRYPOINT.read_text(encoding="utf-8")
    match = re.search(r"^exec uvicorn ((?:.*\\\n)*.*)$", text, re.MULTILINE)
    assert match, "the entrypoint does not exec uvicorn"
    return shlex.split(match.group(1).replace("\\\n", " "))


def option(args: list[str], name: str) -> str:
    assert name in args, f"uvicorn is started without {name}"
    return args[args.index(name) + 1]


def test_the_three_services_and_their_volumes_are_declared() -> None:
    config = compose()
    assert "version" not in config, "the compose spec has no `version:` key"
    assert {"db", "meilisearch", "api"} <= set(config["services"])
    assert {"pgdata", "meilidata"} <= set(config["volumes"])
    mounted = {
        volume.split(":", 1)[0]
        for service in config["services"].values()
        for volume in service.get("volumes", [])
    }
    assert {"pgdata", "meilidata"} <= mounted


def test_images_are_pinned() -> None:
    services = compose()["services"]
    assert re.fullmatch(r"getmeili/meilisearch:v1\.\d+\.\d+", services["meilisearch"]["image"])
    match = re.fullmatch(r"postgis/postgis:(\d+)-\d+\.\d+", services["db"]["image"])
    assert match, services["db"]["image"]
    assert match.group(1) == "15"


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
    steps = ["alembic upgrade head", "directory load-seed", "exec uvicorn app.main:app"]
    positions = [text.find(step) for step in steps]
    assert all(position >= 0 for position in positions), positions
    assert positions == sorted(positions)
    args = entrypoint_uvicorn_args()
    assert option(args, "--host") == "0.0.0.0"
    assert option(args, "--workers") == "${WEB_CONCURRENCY:-2}"
    assert "--proxy-headers" in args


def test_entrypoint_is_valid_shell() -> None:
    shell = shutil.which("sh")
    if shell is None:
        pytest.skip("no sh")
    result = subprocess.run(
        [shell, "-n", str(ENTRYPOINT)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_api_port_is_the_one_uvicorn_serves_and_the_healthchecks_probe() -> None:
    api = compose()["services"]["api"]
    port = option(entrypoint_uvicorn_args(), "--port")
    published = [str(mapping) for mapping in api["ports"]]
    assert any(mapping.rsplit(":", 1)[-1] == port for mapping in published), published
    assert "8000:8000" in published
    assert f"http://127.0.0.1:{port}/" in healthcheck_command(api)
    instructions = dockerfile_instructions()
    assert ("EXPOSE", port) in instructions
    healthchecks = [
        arguments for instruction, arguments in instructions if instruction == "HEALTHCHECK"
    ]
    assert healthchecks
    assert f"http://127.0.0.1:{port}/" in healthchecks[0]


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
