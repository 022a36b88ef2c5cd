"""The change history of directory records: what each write changed, by whom."""

import json
import uuid
from decimal import Decimal
from typing import Any

from pydantic import AnyUrl, BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.context import touch
from app.auth.actor import Actor
from app.core.pagination import fetch_page
from app.directory.lookups import organization_of
from app.directory.models import (
    RecordChange,
)
from app.directory.policy import authorize


def _plain(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        return json.dumps(sorted(str(v) for v in value), ensure_ascii=False)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


async def record_changes(
    session: AsyncSession,
    actor: Actor,
    *,
    resource_type: str,
    resource_id: uuid.UUID,
    organization_id: uuid.UUID | None,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """One history row per field whose value changed (all given fields on create)."""
    for field in sorted(after):
        old, new = _plain(before.get(field)), _plain(after[field])
        if action == "create" and new is None:
            continue
        if old != new or action != "update":
            session.add(
                RecordChange(
                    resource_id=resource_id,
                    resource_type=resource_type,
                    organization_id=organization_id,
                    last_action_type=action,
                    field_name=field,
                    previous_value=old,
                    replacement_value=new,
                    updated_by=actor.email,
                    updated_by_id=actor.user_id,
                )
            )
    touch(resource_id)


def values_of(model: BaseModel, *, exclude: set[str]) -> dict[str, Any]:
    """The fields the client sent, as column values (URLs as text)."""
    data = model.model_dump(exclude_unset=True, exclude=exclude)
    return {k: str(v) if isinstance(v, AnyUrl) else v for k, v in data.items()}


def apply_values(record: Any, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    before = {field: getattr(record, field) for field in values}
    for field, value in values.items():
        setattr(record, field, value)
    return before, values


async def history(
    session: AsyncSession,
    actor: Actor,
    *,
    resource_type: str,
    resource_id: uuid.UUID,
    page: int,
    per_page: int,
) -> tuple[list[RecordChange], int]:
    """The change history of a record, newest first, for those who maintain it."""
    org = await organization_of(session, resource_type, resource_id)
    authorize(actor, org)
    touch(resource_id)
    # an organization's history covers every record under it, phones and schedules included
    conditions = [
        RecordChange.organization_id == org.id
        if resource_type == "organization"
        else RecordChange.resource_id == resource_id
    ]
    query = select(RecordChange).where(*conditions).order_by(RecordChange.id.desc())
    return await fetch_page(session, query, page=page, per_page=per_page)
