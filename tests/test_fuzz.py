"""schemathesis over the whole OpenAPI description, against the API as it runs: a server process
on a database of its own, anonymously, as a caseworker and as an admin. No request a client can
make may give a server error, and every response must match its documented schema.

Bounded: `FUZZ_SECONDS` per role (50 by default, under three minutes in all), from a fixed seed
(`FUZZ_SEED`) so that a failure in CI can be replayed; set another seed to explore further."""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.service import issue_token
from app.directory.models import Organization
from tests.accounts import PASSWORD_HASH
from tests.conftest import database_of_its_own
from tests.serving import serve

BIN = Path(sys.executable).parent
SECONDS = os.environ.get("FUZZ_SECONDS", "50")
SEED = os.environ.get("FUZZ_SEED", "20261201")
CHECKS = "not_a_server_error,response_schema_conformance"


def _tokens(url: str) -> dict[str, str]:
    """An admin and a caseworker of Rights Jessore on the fuzzing database. The run cannot change
    either account: no one changes their own account, and the admin runs last."""
    engine = create_engine(url)
    tokens = {}
    with Session(engine) as session, session.begin():
        org = session.execute(
            select(Organization.id).where(Organization.slug == "rights-jessore")
        ).scalar_one()
        for role in ("caseworker", "admin"):
            user = User(
                id=uuid.uuid4(),
                email=f"fuzz-{role}@fuzz.example",
                role=role,
                password_hash=PASSWORD_HASH,
                organization_id=org,
            )
            session.add(user)
            session.flush()
            tokens[role] = issue_token(user).access_token
    engine.dispose()
    return tokens


@pytest.fixture(scope="module")
def fuzzed_api(database_url: str) -> Iterator[tuple[str, dict[str, str], Path]]:
    """The API served by its own process on `<name>_fuzz_test`, built like the test
    database; its base URL, tokens by role and its log file."""
    fuzz_url = database_of_its_own(database_url, "fuzz")
    tokens = _tokens(fuzz_url)
    log = Path(".data/fuzz-server.log")
    # the limits would answer most fuzzed sign-ins and suggestions with 429
    with serve(
        fuzz_url, log, LOGIN_FAILURE_LIMIT="1000000", CORRECTION_LIMIT_PER_HOUR="1000000"
    ) as server:
        yield server.url, tokens, log


@pytest.mark.parametrize("role", ["anonymous", "caseworker", "admin"])
def test_no_request_gives_a_server_error_or_an_undocumented_shape(
    fuzzed_api: tuple[str, dict[str, str], Path], role: str, tmp_path: Path
) -> None:
    base, tokens, log = fuzzed_api
    args = [
        str(BIN / "schemathesis"),
        "--no-color",
        "run",
        f"{base}/openapi.json",
        "--checks",
        CHECKS,
        "--max-time",
        SECONDS,
        # one worker: schemathesis's workers are threads, and CPython 3.11's ast.parse, which
        # hypothesis calls in them to describe its strategies, fails at random under threads
        # ("SystemError: AST constructor recursion depth mismatch", python/cpython#106905)
        "--workers",
        "1",
        "--seed",
        SEED,
    ]
    if role != "anonymous":
        # signing out would end the run's own token
        args += ["--exclude-path", "/auth/logout", "-H", f"Authorization: Bearer {tokens[role]}"]

    # in a folder of its own: schemathesis keeps a cache of past failures where it runs
    run = subprocess.run(
        args, capture_output=True, text=True, timeout=int(SECONDS) + 120, cwd=tmp_path
    )

    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    summary = run.stdout[run.stdout.rfind("Test cases:") :]
    assert "generated" in summary and " 0 generated" not in summary, summary
    assert "Traceback" not in log.read_text()
