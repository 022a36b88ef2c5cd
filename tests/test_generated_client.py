"""A Python client generated from the served /openapi.json by openapi-python-client (pinned in
the dev extras) works: a search, a sign-in, a referral through its lifecycle and its report,
and every error it meets parses as the generated `Problem` with its status.

The client is generated once per module into pytest's temporary folder and imported from
there; its calls go to a `directory serve` process on the test database. Its clients raise on
a status the OpenAPI does not list (`raise_on_unexpected_status`), so every answer below is a
documented one."""

import importlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.auth.models import User
from app.core.errors import PROBLEM_BASE
from tests.accounts import PASSWORD
from tests.committed import World
from tests.referrals.helpers import service_id
from tests.serving import Server, delete_login_failures, serve

BIN = Path(sys.executable).parent
PACKAGE = "directory_client"


@dataclass
class Generated:
    """The generated package: its operations by operationId, its models by name."""

    folder: Path
    base_url: str

    def operation(self, operation_id: str) -> ModuleType:
        """The module of one operation (`api/<tag>/<operationId>.py`)."""
        (path,) = (self.folder / "api").glob(f"*/{operation_id}.py")
        return importlib.import_module(f"{PACKAGE}.api.{path.parent.name}.{operation_id}")

    def model(self, name: str) -> Any:
        return getattr(importlib.import_module(f"{PACKAGE}.models"), name)

    def client(self, token: str | None = None, **options: Any) -> Any:
        """The generated client, signed in with `token` or anonymous; `options` are the
        client's own (`headers`, `httpx_args`)."""
        package = importlib.import_module(PACKAGE)
        options = {"base_url": self.base_url, "raise_on_unexpected_status": True, **options}
        if token is None:
            return package.Client(**options)
        return package.AuthenticatedClient(token=token, **options)


@pytest.fixture(scope="module")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("generated-client") / "server.log"
    with serve(database_url, log) as running:
        yield running


@pytest.fixture(scope="module")
def generated(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    """The client generated from the server's /openapi.json; the generator must not warn."""
    folder = tmp_path_factory.mktemp("client")
    spec = folder / "openapi.json"
    spec.write_bytes(httpx.get(f"{server.url}/openapi.json").raise_for_status().content)
    run = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(spec),
            "--output-path",
            str(folder / PACKAGE),
            "--meta",
            "none",
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        cwd=folder,
        # its post-hooks run ruff, from the same virtualenv
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "Warning" not in output and "Error" not in output, output
    sys.path.insert(0, str(folder))
    try:
        yield Generated(folder / PACKAGE, server.url)
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def assert_problem(gen: Generated, response: Any, status: int, code: str) -> Any:
    """The response is the generated Problem with this status and problem type."""
    problem = response.parsed
    assert response.status_code == status, response.content
    assert isinstance(problem, gen.model("Problem")), problem
    assert response.headers["content-type"] == "application/problem+json"
    assert (problem.status, problem.type_) == (status, PROBLEM_BASE + code)
    assert problem.title and problem.detail
    return problem


async def _email(engine: AsyncEngine, organization_id: uuid.UUID, role: str) -> str:
    async with AsyncSession(engine) as session:
        email: str = (
            await session.execute(
                select(User.email).where(User.organization_id == organization_id, User.role == role)
            )
        ).scalar_one()
    return email


async def sign_in(gen: Generated, email: str) -> str:
    """A bearer token for `email`, from POST /auth/token."""
    body = gen.model("BodyCreateToken")(username=email, password=PASSWORD)
    response = await gen.operation("create_token").asyncio_detailed(client=gen.client(), body=body)
    assert response.status_code == 200, response.content
    token = response.parsed
    assert isinstance(token, gen.model("TokenRead"))
    assert token.token_type == "bearer"
    access_token: str = token.access_token
    return access_token


@dataclass
class Parties:
    """The generated clients of a committed world's admin, referrer and provider."""

    admin: Any
    referrer: Any
    provider: Any


@pytest.fixture
async def parties(generated: Generated, world: World, engine: AsyncEngine) -> Parties:
    """The world's admin and two caseworkers, each signed in through the generated client."""
    tokens = [
        await sign_in(generated, await _email(engine, organization, role))
        for organization, role in (
            (world.referrer_id, "admin"),
            (world.referrer_id, "caseworker"),
            (world.provider_id, "caseworker"),
        )
    ]
    return Parties(*(generated.client(token) for token in tokens))


async def make_mou(gen: Generated, world: World, admin: Any) -> Any:
    """An active MoU of the world's organizations covering its legal aid service."""
    body = gen.model("MouCreate")(
        reference=f"MOU-{uuid.uuid4().hex[:6]}",
        referring_organization_id=world.referrer_id,
        provider_organization_id=world.provider_id,
        valid_from=date.today() - timedelta(days=30),
        status=gen.model("MouCreateStatus")("active"),
        services=[
            gen.model("MouServiceWrite")(
                category="legal_aid",
                service_id=world.service_id,
                free_of_cost=True,
                quota=10,
                quota_period=gen.model("MouServiceWriteQuotaPeriodType0")("month"),
                response_sla_hours=48,
            )
        ],
    )
    response = await gen.operation("create_mou").asyncio_detailed(client=admin, body=body)
    assert response.status_code == 201, response.content
    return response.parsed


def referral_body(gen: Generated, world: World, **overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "case_ref": f"RJ-2026-{uuid.uuid4().hex[:4]}",
        "client": gen.model("Client")(
            sex=gen.model("ClientSex")("female"), age_band=gen.model("ClientAgeBand")("18-24")
        ),
        "service_id": world.service_id,
        "reason": "Legal advice on compensation",
        "consent": gen.model("Consent")(
            given=True, obtained_at=datetime.now(UTC) - timedelta(hours=1), scope="provider only"
        ),
        **overrides,
    }
    return gen.model("ReferralCreate")(**fields)


async def refer(gen: Generated, world: World, referrer: Any) -> tuple[Any, str]:
    """A requested referral of the world's referrer and its ETag."""
    response = await gen.operation("create_referral").asyncio_detailed(
        client=referrer, body=referral_body(gen, world)
    )
    assert response.status_code == 201, response.content
    return response.parsed, response.headers["etag"]


async def move(
    gen: Generated, client: Any, referral_id: uuid.UUID, etag: str | None, to: str, **fields: Any
) -> Any:
    body = gen.model("Transition")(to=gen.model("TransitionTo")(to), **fields)
    kwargs = {} if etag is None else {"if_match": etag}
    return await gen.operation("transition_referral").asyncio_detailed(
        referral_id, client=client, body=body, **kwargs
    )


async def test_a_search_in_bangla_with_a_filter(
    generated: Generated, session: AsyncSession
) -> None:
    legal_aid = await service_id(session)

    response = await generated.operation("search_services").asyncio_detailed(
        client=generated.client(), search="আইনগত সহায়তা", district="যশোর", category="legal_aid"
    )

    assert response.status_code == 200, response.content
    page = response.parsed
    assert isinstance(page, generated.model("PageServiceListItem"))
    assert legal_aid in [service.id for service in page.contents]
    assert page.total_items == len(page.contents) and page.page_number == 1
    assert all(
        "legal_aid" in [category.code for category in service.categories]
        for service in page.contents
    )


async def test_a_sign_in_and_a_wrong_password(
    generated: Generated, world: World, engine: AsyncEngine, database_url: str
) -> None:
    email = await _email(engine, world.referrer_id, "caseworker")
    create_token = generated.operation("create_token")
    wrong = generated.model("BodyCreateToken")(username=email, password="not the password")

    try:
        refused = await create_token.asyncio_detailed(client=generated.client(), body=wrong)
        token = await sign_in(generated, email)
    finally:
        delete_login_failures(database_url, email.lower())
    me = await generated.operation("read_me").asyncio_detailed(client=generated.client(token))

    assert_problem(generated, refused, 401, "invalid-credentials")
    assert refused.headers["www-authenticate"] == "Bearer"
    assert me.status_code == 200, me.content
    assert isinstance(me.parsed, generated.model("MeRead"))
    assert (me.parsed.email, me.parsed.organization_id, me.parsed.role) == (
        email,
        world.referrer_id,
        "caseworker",
    )


async def test_a_referral_through_its_lifecycle_and_its_report(
    generated: Generated, world: World, parties: Parties
) -> None:
    mou = await make_mou(generated, world, parties.admin)
    referral, etag = await refer(generated, world, parties.referrer)
    assert (referral.status, referral.mou_id, referral.outside_mou) == ("requested", mou.id, False)
    assert etag == f'"{referral.id}.1"'

    outcome = generated.model("Outcome")(
        services_delivered="Legal advice; case filed",
        completed_on=date.today(),
        free_of_cost_honoured=True,
    )
    for to, fields in (
        ("accepted", {}),
        ("in_progress", {"note": "first meeting held"}),
        ("completed", {"outcome": outcome}),
    ):
        response = await move(generated, parties.provider, referral.id, etag, to, **fields)
        assert response.status_code == 200, response.content
        assert isinstance(response.parsed, generated.model("ReferralRead"))
        assert response.parsed.status == to
        assert response.headers["etag"] != etag
        etag = response.headers["etag"]

    read = await generated.operation("read_referral").asyncio_detailed(
        referral.id, client=parties.referrer
    )
    report = await generated.operation("report_referrals").asyncio_detailed(
        client=parties.referrer, mou_id=mou.id, group_by="status"
    )

    assert read.status_code == 200, read.content
    assert read.headers["etag"] == etag
    assert [(e.from_, e.to) for e in read.parsed.events] == [
        (None, "requested"),
        ("requested", "accepted"),
        ("accepted", "in_progress"),
        ("in_progress", "completed"),
    ]
    assert read.parsed.outcome["services_delivered"] == "Legal advice; case filed"
    assert read.parsed.outcome["free_of_cost_honoured"] is True
    assert read.parsed.closed_at >= read.parsed.accepted_at
    assert report.status_code == 200, report.content
    assert isinstance(report.parsed, generated.model("ReferralReport"))
    assert (report.parsed.group_by, report.parsed.suppressed_below) == (["status"], None)
    (row,) = report.parsed.rows
    assert (row.status, row.sent, row.accepted, row.completed, row.rejected) == (
        "completed",
        1,
        1,
        1,
        0,
    )
    assert (row.accepted_within_sla, row.free_of_cost_honoured, row.median_sla_hours) == (
        1,
        1,
        48.0,
    )


async def test_the_errors_of_a_referral_parse_as_problems(
    generated: Generated, world: World, parties: Parties
) -> None:
    await make_mou(generated, world, parties.admin)
    referral, etag = await refer(generated, world, parties.referrer)
    read_referral = generated.operation("read_referral")
    create_referral = generated.operation("create_referral")

    unknown = await read_referral.asyncio_detailed(uuid.uuid4(), client=parties.referrer)
    anonymous = await read_referral.asyncio_detailed(referral.id, client=generated.client())
    no_version = await move(generated, parties.provider, referral.id, None, "accepted")
    stale = await move(generated, parties.provider, referral.id, f'"{referral.id}.9"', "accepted")
    wrong_side = await move(generated, parties.referrer, referral.id, etag, "accepted")
    rejected = await move(
        generated,
        parties.provider,
        referral.id,
        etag,
        "rejected",
        reason_code=generated.model("TransitionReasonCodeType0")("no_capacity"),
    )
    reopened = await move(
        generated, parties.provider, referral.id, rejected.headers["etag"], "accepted"
    )
    a_name = await create_referral.asyncio_detailed(
        client=parties.referrer, body=referral_body(generated, world, case_ref="Rina.Begum")
    )
    in_bangla = await create_referral.asyncio_detailed(
        client=parties.referrer.with_headers({"Accept-Language": "bn"}),
        body=referral_body(generated, world, case_ref="Rina.Begum"),
    )

    assert "referral" in assert_problem(generated, unknown, 404, "referral-not-found").detail
    assert_problem(generated, anonymous, 401, "not-authenticated")
    assert "If-Match" in assert_problem(generated, no_version, 428, "precondition-required").detail
    assert_problem(generated, stale, 412, "precondition-failed")
    assert_problem(generated, wrong_side, 403, "forbidden")
    assert rejected.status_code == 200 and rejected.parsed.status == "rejected"
    assert_problem(generated, reopened, 409, "referral-closed")
    problem = assert_problem(generated, a_name, 422, "invalid-referral")
    (error,) = problem.errors
    assert isinstance(error, generated.model("ProblemError"))
    assert (str(error.location), error.parameter) == ("body", "case_ref")
    assert "never a name" in error.detail
    bangla = assert_problem(generated, in_bangla, 422, "invalid-referral")
    assert bangla.detail.startswith("case_ref: ") and bangla.detail != problem.detail
    assert any("\u0980" <= char <= "\u09ff" for char in bangla.title + bangla.errors[0].detail)


async def test_the_errors_of_a_search_parse_as_problems(generated: Generated) -> None:
    search_services = generated.operation("search_services")
    # a parameter the operation does not take, sent on every request of this client
    misspelt = generated.client(httpx_args={"params": {"serch": "legal aid"}})

    too_many = await search_services.asyncio_detailed(client=generated.client(), per_page=1000)
    unknown_place = await search_services.asyncio_detailed(
        client=generated.client(), district="Atlantis"
    )
    unknown_parameter = await search_services.asyncio_detailed(client=misspelt)
    unknown_service = await generated.operation("read_service").asyncio_detailed(
        uuid.uuid4(), client=generated.client()
    )

    (error,) = assert_problem(generated, too_many, 422, "invalid-parameter").errors
    assert (str(error.location), error.parameter) == ("query", "per_page")
    (error,) = assert_problem(generated, unknown_place, 422, "invalid-parameter").errors
    assert (str(error.location), error.parameter) == ("query", "district")
    assert "Atlantis" in error.detail
    (error,) = assert_problem(generated, unknown_parameter, 422, "unknown-parameter").errors
    assert (str(error.location), error.parameter) == ("query", "serch")
    assert "did you mean search?" in error.detail
    assert_problem(generated, unknown_service, 404, "service-not-found")
