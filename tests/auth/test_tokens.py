"""Signing in, tokens (tampered, expired, revoked), throttling and the secret's rules."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from httpx import AsyncClient
from pydantic import ValidationError
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User
from app.core.config import Settings, get_settings
from tests.accounts import PASSWORD, make_account
from tests.api import api_client

PROBLEM = "application/problem+json"


async def _sign_in(client: AsyncClient, email: str, password: str) -> tuple[int, dict[str, Any]]:
    response = await client.post("/auth/token", data={"username": email, "password": password})
    return response.status_code, response.json()


async def test_right_credentials_give_a_short_lived_bearer_token(
    client: AsyncClient, session: AsyncSession
) -> None:
    account = await make_account(session, role="caseworker")

    status, body = await _sign_in(client, account.user.email.upper(), PASSWORD)

    assert status == 200
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == get_settings().access_token_minutes * 60
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == str(account.user.id)
    assert claims["org"] == str(account.user.organization_id)
    assert claims["role"] == "caseworker"
    me = await client.get("/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["email"] == account.user.email


@pytest.mark.parametrize("who", ["wrong password", "unknown account"])
async def test_bad_credentials_are_a_401_problem(
    client: AsyncClient, session: AsyncSession, who: str
) -> None:
    account = await make_account(session, role="caseworker")
    email = (
        account.user.email if who == "wrong password" else f"nobody-{uuid.uuid4().hex}@test.example"
    )

    response = await client.post(
        "/auth/token", data={"username": email, "password": "not the password"}
    )

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"] == "Wrong email or password."


async def test_missing_form_fields_are_a_422(client: AsyncClient) -> None:
    response = await client.post("/auth/token", data={"username": "a@b.c"})

    assert response.status_code == 422
    assert "password" in response.json()["detail"]


def _forge(claims: dict[str, Any], secret: str) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


@pytest.mark.parametrize(
    "variant",
    [
        "garbage",
        "tampered payload",
        "other secret",
        "expired",
        "alg none",
        "no exp",
        "unknown user",
    ],
)
async def test_bad_tokens_are_a_401(
    client: AsyncClient, session: AsyncSession, variant: str
) -> None:
    account = await make_account(session, role="admin")
    secret = get_settings().secret_key
    now = datetime.now(UTC)
    claims = {
        "iss": "referral-directory",
        "sub": str(account.user.id),
        "org": "x",
        "role": "admin",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "jti": "j1",
    }
    header, _payload, signature = account.token.split(".")
    tokens = {
        "garbage": "not-a-token",
        "tampered payload": ".".join(
            [header, _forge({**claims, "role": "admin", "x": 1}, secret).split(".")[1], signature]
        ),
        "other secret": _forge(claims, "another-secret-of-enough-length-0123456789"),
        "expired": _forge(
            {**claims, "iat": now - timedelta(hours=2), "exp": now - timedelta(hours=1)}, secret
        ),
        "alg none": jwt.encode(claims, None, algorithm="none"),
        "no exp": _forge({k: v for k, v in claims.items() if k != "exp"}, secret),
        "unknown user": _forge({**claims, "sub": str(uuid.uuid4())}, secret),
    }

    response = await client.get("/auth/me", headers={"Authorization": f"Bearer {tokens[variant]}"})

    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM


async def test_no_token_is_a_401(client: AsyncClient) -> None:
    assert (await client.get("/auth/me")).status_code == 401


async def test_a_signed_out_token_is_refused(client: AsyncClient, session: AsyncSession) -> None:
    account = await make_account(session, role="caseworker")

    assert (await client.post("/auth/logout", headers=account.headers)).status_code == 204
    assert (await client.get("/auth/me", headers=account.headers)).status_code == 401


async def test_disabling_a_user_voids_their_tokens(
    client: AsyncClient, session: AsyncSession
) -> None:
    account = await make_account(session, role="caseworker")
    assert (await client.get("/auth/me", headers=account.headers)).status_code == 200

    await session.execute(update(User).where(User.id == account.user.id).values(active=False))

    assert (await client.get("/auth/me", headers=account.headers)).status_code == 401
    status, _ = await _sign_in(client, account.user.email, PASSWORD)
    assert status == 401


async def test_a_password_reset_voids_older_tokens(
    client: AsyncClient, session: AsyncSession
) -> None:
    account = await make_account(session, role="caseworker")
    later = datetime.now(UTC) + timedelta(seconds=2)

    await session.execute(
        update(User).where(User.id == account.user.id).values(tokens_valid_after=later)
    )

    assert (await client.get("/auth/me", headers=account.headers)).status_code == 401


@pytest.fixture
async def other_client(session: AsyncSession) -> AsyncIterator[AsyncClient]:
    """A client at another address, sharing the test's transaction."""
    async with api_client(session, address=("203.0.113.7", 4000)) as http:
        yield http


async def test_ten_failures_throttle_that_account_from_that_client_only(
    client: AsyncClient, other_client: AsyncClient, session: AsyncSession
) -> None:
    account = await make_account(session, role="caseworker")
    bystander = await make_account(session, role="caseworker")
    limit = get_settings().login_failure_limit

    statuses = [(await _sign_in(client, account.user.email, "wrong"))[0] for _ in range(limit)]
    after_limit, body = await _sign_in(client, account.user.email, PASSWORD)

    assert statuses == [401] * limit
    assert after_limit == 429
    assert "Too many" in body["detail"]
    again = await client.post(
        "/auth/token", data={"username": account.user.email, "password": PASSWORD}
    )
    window = get_settings().login_failure_window_minutes * 60
    assert 0 < int(again.headers["Retry-After"]) <= window
    assert (await _sign_in(other_client, account.user.email, PASSWORD))[0] == 200
    assert (await _sign_in(client, bystander.user.email, PASSWORD))[0] == 200


async def test_accounts_that_do_not_exist_are_throttled_the_same_way(client: AsyncClient) -> None:
    email = f"ghost-{uuid.uuid4().hex}@test.example"
    limit = get_settings().login_failure_limit

    statuses = [(await _sign_in(client, email, "guess"))[0] for _ in range(limit + 1)]

    assert statuses == [401] * limit + [429]


def test_the_default_secret_is_refused_outside_development() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(
            environment="production", secret_key="development-only-secret-do-not-use-elsewhere"
        )
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", secret_key="short")
    assert Settings(environment="production", secret_key="x" * 40).secret_key == "x" * 40
    assert Settings(environment="development").environment == "development"
