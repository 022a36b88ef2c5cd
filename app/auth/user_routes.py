"""Accounts of the organizations: listed and managed by their admins."""

import uuid

from fastapi import APIRouter

from app.auth import users
from app.auth.deps import CurrentActor
from app.auth.schemas import UserCreate, UserRead, UserUpdate
from app.core.db import SessionDep
from app.core.middleware import CrossOrigin
from app.core.pagination import Page, PageNumber, PerPage

router = APIRouter(prefix="/users", tags=["accounts"])
# what other origins may call (SplitCORS): the reads here are not public
cross_origin = CrossOrigin(private_read_prefixes=("/users",))


@router.get("", response_model=Page[UserRead])
async def list_users(
    session: SessionDep,
    actor: CurrentActor,
    page: PageNumber = 1,
    per_page: PerPage = 20,
) -> Page[UserRead]:
    """The accounts you manage."""
    rows, total = await users.list_users(session, actor, page=page, per_page=per_page)
    return Page[UserRead].build(
        contents=[UserRead.of(u) for u in rows], total=total, page=page, per_page=per_page
    )


@router.post("", status_code=201, response_model=UserRead)
async def create_user(session: SessionDep, actor: CurrentActor, body: UserCreate) -> UserRead:
    """Add an account to an organization you manage, with a role you may grant."""
    user = await users.create_user(
        session,
        actor,
        email=body.email,
        password=body.password,
        organization_id=body.organization_id,
        role=body.role,
        districts=body.districts,
    )
    return UserRead.of(user)


@router.get("/{user_id}", response_model=UserRead)
async def read_user(session: SessionDep, actor: CurrentActor, user_id: uuid.UUID) -> UserRead:
    """One account you manage."""
    return UserRead.of(await users.get_user(session, actor, user_id))


@router.patch("/{user_id}", response_model=UserRead)
async def update_user(
    session: SessionDep, actor: CurrentActor, user_id: uuid.UUID, body: UserUpdate
) -> UserRead:
    """Disable or re-enable an account, change its role or set a new password (its tokens stop
    working)."""
    user = await users.update_user(
        session, actor, user_id, active=body.active, role=body.role, password=body.password
    )
    return UserRead.of(user)
