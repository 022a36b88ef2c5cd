"""Response bodies of the audit log."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    user_id: uuid.UUID
    user_email: str
    organization_id: uuid.UUID
    role: str
    method: str
    path: str
    query: str | None
    status: int
    record_ids: list[str]
    client: str | None
