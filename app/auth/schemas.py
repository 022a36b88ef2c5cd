"""Request and response bodies of the auth endpoints."""

import uuid
from typing import Literal

from pydantic import BaseModel


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
