"""case reference patterns per organization; ages and opening hours in order

- `organization.case_ref_pattern`: the pattern (a PostgreSQL regular expression, matched whole)
  the organization's case references follow; without one a case reference must hold a digit.
- A service's `minimum_age` is at most its `maximum_age`; a schedule opens before it closes and
  is valid from a day no later than its last. The API refuses such records with a 422; the
  constraints keep every other writer (the loader, a console) to the same rules.

Revision ID: 7d1e5c3b9a20
Revises: 64f1a83bf956
Create Date: 2026-12-01 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d1e5c3b9a20"
down_revision: str | None = "64f1a83bf956"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("organization", sa.Column("case_ref_pattern", sa.Text(), nullable=True))
    op.create_check_constraint(
        op.f("ck_organization_case_ref_pattern"), "organization",
        "char_length(case_ref_pattern) <= 200",
    )  # fmt: skip
    op.create_check_constraint(
        op.f("ck_service_ages"), "service",
        "minimum_age IS NULL OR maximum_age IS NULL OR minimum_age <= maximum_age",
    )  # fmt: skip
    op.create_check_constraint(
        op.f("ck_schedule_hours"), "schedule",
        "opens_at IS NULL OR closes_at IS NULL OR opens_at < closes_at",
    )  # fmt: skip
    op.create_check_constraint(
        op.f("ck_schedule_validity"), "schedule",
        "valid_from IS NULL OR valid_to IS NULL OR valid_from <= valid_to",
    )  # fmt: skip


def downgrade() -> None:
    op.drop_constraint(op.f("ck_schedule_validity"), "schedule", type_="check")
    op.drop_constraint(op.f("ck_schedule_hours"), "schedule", type_="check")
    op.drop_constraint(op.f("ck_service_ages"), "service", type_="check")
    op.drop_constraint(op.f("ck_organization_case_ref_pattern"), "organization", type_="check")
    op.drop_column("organization", "case_ref_pattern")
