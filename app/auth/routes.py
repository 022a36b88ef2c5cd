"""Sign in (OAuth2 password flow), sign out, and who am I."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from app.auth import service as auth
from app.auth.deps import Authenticated, CurrentActor, client_address
from app.auth.errors import UnstorableCharacter
from app.auth.schemas import MeRead, TokenRead
from app.core.db import SessionDep, SideSessionDep
from app.core.middleware import CrossOrigin
from app.core.openapi import problems
from app.core.schemas import unstorable

router = APIRouter(prefix="/auth", tags=["auth"])
# what other origins may call (SplitCORS): the reads here are not public
cross_origin = CrossOrigin(private_read_prefixes=("/auth",))


@router.post("/token", response_model=TokenRead, responses=problems(401, 429))
async def create_token(
    request: Request,
    response: Response,
    session: SessionDep,
    side_session: SideSessionDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> TokenRead:
    """Exchange an email and password for a short-lived bearer token."""
    for field in ("username", "password"):
        if unstorable(getattr(form, field)):
            raise UnstorableCharacter(field=field)
    issued = await auth.sign_in(
        session,
        side_session,
        email=form.username,
        password=form.password,
        client=client_address(request),
    )
    response.headers["Cache-Control"] = "no-store"
    return TokenRead(access_token=issued.access_token, expires_in=issued.expires_in)


@router.post("/logout", status_code=204)
async def revoke_token(session: SessionDep, authenticated: Authenticated) -> Response:
    """Sign the presented token out: it is refused from now on."""
    await auth.revoke_token(session, authenticated[1])
    return Response(status_code=204)


@router.get("/me", response_model=MeRead)
async def read_me(actor: CurrentActor) -> MeRead:
    """The user the token speaks for."""
    return MeRead(
        user_id=actor.user_id,
        email=actor.email,
        organization_id=actor.organization_id,
        role=actor.role,
        districts=sorted(actor.districts),
    )
