"""Accounts of the organizations: listed and managed by their admins."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, EmailStr, Field, StrictBool

from app.auth import users
from app.auth.deps import CurrentActor
from app.auth.models import User
from app.core.db import SessionDep
from app.core.pagination import Page, PageNumber, PerPage
from app.core.schemas import Body

router = APIRouter(prefix="/users", tags=["accounts"])
Role = Literal["admin", "district_admin", "org_admin", "caseworker"]
Password = Annotated[str, Field(min_length=12, max_length=200)]


class UserCreate(Body):
    email: EmailStr
    password: Password
    organization_id: uuid.UUID
    role: Role
    districts: list[str] = Field(default=[], max_length=64)


class UserUpdate(Body):
    active: StrictBool | None = None
    role: Role | None = None
    password: Password | None = None


class UserRead(BaseModel):
    id: uuid.UUID
    email: str
    organization_id: uuid.UUID
    role: str
    active: bool
    districts: list[str]


def _read(user: User) -> UserRead:
    return UserRead(
        id=user.id, email=user.email, organization_id=user.organization_id, role=user.role,
        active=user.active, districts=sorted(d.district_pcode for d in user.districts),
    )  # fmt: skip


@router.get("", response_model=Page[UserRead])
async def list_users(
    session: SessionDep, actor: CurrentActor,
    page: PageNumber = 1,
    per_page: PerPage = 20,
) -> Page[UserRead]:  # fmt: skip
    """The accounts you manage."""
    rows, total = await users.list_users(session, actor, page=page, per_page=per_page)
    return Page[UserRead].build(
        contents=[_read(u) for u in rows], total=total, page=page, per_page=per_page
    )


@router.post("", status_code=201, response_model=UserRead)
async def create_user(session: SessionDep, actor: CurrentActor, body: UserCreate) -> UserRead:
    """Add an account to an organization you manage, with a role you may grant."""
    user = await users.create_user(
        session, actor, email=body.email, password=body.password,
        organization_id=body.organization_id, role=body.role, districts=body.districts,
    )  # fmt: skip
    return _read(user)


@router.get("/{user_id}", response_model=UserRead)
async def read_user(session: SessionDep, actor: CurrentActor, user_id: uuid.UUID) -> UserRead:
    """One account you manage."""
    return _read(await users.get_user(session, actor, user_id))


@router.patch("/{user_id}", response_model=UserRead)
async def update_user(
    session: SessionDep, actor: CurrentActor, user_id: uuid.UUID, body: UserUpdate
) -> UserRead:
    """Disable or re-enable an account, change its role or set a new password (its tokens stop working)."""
    user = await users.update_user(
        session, actor, user_id, active=body.active, role=body.role, password=body.password
    )
    return _read(user)
