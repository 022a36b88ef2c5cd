"""Request and response bodies of the auth endpoints."""

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, Field, StrictBool

from app.auth.actor import Role
from app.auth.models import User
from app.core.schemas import Body


class TokenRead(BaseModel):
    """OAuth2 token response."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105  (the OAuth2 token type)
    expires_in: int


class MeRead(BaseModel):
    """The signed-in user."""

    user_id: uuid.UUID
    email: str
    organization_id: uuid.UUID
    role: str
    districts: list[str]


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

    @classmethod
    def of(cls, user: User) -> "UserRead":
        return cls(
            id=user.id,
            email=user.email,
            organization_id=user.organization_id,
            role=user.role,
            active=user.active,
            districts=sorted(d.district_pcode for d in user.districts),
        )
