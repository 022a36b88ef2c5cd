"""Dependencies that identify the caller: `CurrentActor` (401 without a valid token)."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from app.audit.context import set_actor
from app.auth.actor import Actor
from app.auth.errors import NotAuthenticated
from app.auth.service import TokenClaims, user_for_token
from app.core.db import SessionDep
from app.core.openapi import raises

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


@raises(401)
async def authenticated(
    request: Request, session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> tuple[Actor, TokenClaims]:
    """The actor and claims of a valid bearer token; the request is audited from here on."""
    if not token:
        raise NotAuthenticated()
    user, claims = await user_for_token(session, token)
    actor = Actor(
        user_id=user.id,
        email=user.email,
        organization_id=user.organization_id,
        role=user.role,
        districts=frozenset(d.district_pcode for d in user.districts),
    )
    set_actor(actor)
    return actor, claims


@raises(403)
async def current_actor(
    auth: Annotated[tuple[Actor, TokenClaims], Depends(authenticated)],
) -> Actor:
    """The signed-in user."""
    return auth[0]


async def optional_actor(
    request: Request, session: SessionDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Actor | None:
    """The signed-in user of a valid bearer token, or None: a public read answers a missing,
    invalid, expired or revoked token alike, as it answers anyone."""
    if not token:
        return None
    try:
        actor, _ = await authenticated(request, session, token)
    except NotAuthenticated:
        return None
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]
Authenticated = Annotated[tuple[Actor, TokenClaims], Depends(authenticated)]
OptionalActor = Annotated[Actor | None, Depends(optional_actor)]


def client_address(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy: uvicorn --proxy-headers)."""
    return request.client.host if request.client else "unknown"
