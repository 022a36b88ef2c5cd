"""Passwords, signed tokens, sign-in throttling and the users behind tokens."""

import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import and_, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from app.auth.errors import (
    InvalidCredentials,
    TokenExpired,
    TokenInvalid,
    TokenRevoked,
    TooManySignIns,
)
from app.auth.models import LoginFailure, RevokedToken, User
from app.core.config import get_settings
from app.core.throttle import seconds_until_allowed

ALGORITHM = "HS256"
ISSUER = "referral-directory"
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the account does not exist, so that timing does not tell (made
    on first use: hashing is slow on purpose and has no place at import)."""
    return _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    """Whether the password fits the stored hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def account_key(email: str) -> str:
    """The canonical form of an account name."""
    return email.strip().lower()


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    jti: str


def issue_token(user: User) -> IssuedToken:
    """A short-lived signed token carrying the user, organization and role."""
    settings = get_settings()
    now = datetime.now(UTC)
    lifetime = timedelta(minutes=settings.access_token_minutes)
    jti = secrets.token_urlsafe(16)
    claims = {
        "iss": ISSUER,
        "sub": str(user.id),
        "email": user.email,
        "org": str(user.organization_id),
        "role": user.role,
        "iat": now,
        "exp": now + lifetime,
        "jti": jti,
    }
    token = jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM)
    return IssuedToken(token, int(lifetime.total_seconds()), jti)


@dataclass(frozen=True)
class TokenClaims:
    user_id: uuid.UUID
    jti: str
    issued_at: datetime
    expires_at: datetime
    email: str = ""
    organization_id: uuid.UUID | None = None
    role: str = ""


def decode_token(token: str) -> TokenClaims:
    """The claims of a token signed by this service and still valid, or `NotAuthenticated`."""
    try:
        claims = jwt.decode(
            token,
            get_settings().secret_key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["sub", "exp", "iat", "jti", "iss"]},
        )
        return TokenClaims(
            user_id=uuid.UUID(claims["sub"]),
            jti=str(claims["jti"]),
            issued_at=datetime.fromtimestamp(claims["iat"], UTC),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
            email=str(claims.get("email", "")),
            organization_id=uuid.UUID(claims["org"]) if claims.get("org") else None,
            role=str(claims.get("role", "")),
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenExpired() from exc
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise TokenInvalid() from exc


async def user_for_token(session: AsyncSession, token: str) -> tuple[User, TokenClaims]:
    """The active user a valid, unrevoked token speaks for, or `NotAuthenticated`."""
    claims = decode_token(token)
    revoked = await session.get(RevokedToken, claims.jti)
    stmt = select(User).where(User.id == claims.user_id).options(selectinload(User.districts))
    user = (await session.execute(stmt)).scalar_one_or_none()
    # iat has whole seconds: a token from the same second as a reset counts as older
    if (
        revoked is not None
        or user is None
        or not user.active
        or claims.issued_at < user.tokens_valid_after.replace(microsecond=0)
    ):
        raise TokenRevoked()
    return user, claims


async def revoke_token(session: AsyncSession, claims: TokenClaims) -> None:
    """Sign a token out; expired revocations are swept at the same time."""
    await session.execute(delete(RevokedToken).where(RevokedToken.expires_at < func.now()))
    session.add(RevokedToken(jti=claims.jti, expires_at=claims.expires_at))
    await session.flush()


async def check_throttle(session: AsyncSession, *, account: str, client: str) -> None:
    """`TooManyAttempts` when this client failed too often on this account recently.

    Keyed by account and client together: guessing from one place slows only that place, and
    neither the account's owner elsewhere nor other accounts are locked out."""
    settings = get_settings()
    wait = await seconds_until_allowed(
        session,
        LoginFailure.at,
        where=and_(LoginFailure.account == account, LoginFailure.client == client),
        limit=settings.login_failure_limit,
        window=timedelta(minutes=settings.login_failure_window_minutes),
    )
    if wait is not None:
        raise TooManySignIns(minutes=math.ceil(wait / 60), retry_after=wait)


async def authenticate(session: AsyncSession, *, email: str, password: str) -> User | None:
    """The active user with these credentials, or None (in constant-ish time either way)."""
    stmt = select(User).where(User.email == account_key(email))
    user = (await session.execute(stmt)).scalar_one_or_none()
    if user is None:
        password_matches(_dummy_hash(), password)
        return None
    if not password_matches(user.password_hash, password) or not user.active:
        return None
    return user


async def sign_in(
    session: AsyncSession, side_session: AsyncSession, *, email: str, password: str, client: str
) -> IssuedToken:
    """A token for valid credentials; failures are recorded in `side_session`, which commits
    on its own because the request's transaction is rolled back with the 401."""
    account = account_key(email)
    await check_throttle(session, account=account, client=client)
    user = await authenticate(session, email=email, password=password)
    if user is None:
        window = timedelta(minutes=get_settings().login_failure_window_minutes)
        # failures older than the window no longer count: sweep them as new ones come in
        await side_session.execute(
            delete(LoginFailure).where(LoginFailure.at < datetime.now(UTC) - window)
        )
        side_session.add(LoginFailure(account=account, client=client))
        await side_session.commit()
        raise InvalidCredentials()
    await session.execute(
        delete(LoginFailure).where(LoginFailure.account == account, LoginFailure.client == client)
    )
    return issue_token(user)
