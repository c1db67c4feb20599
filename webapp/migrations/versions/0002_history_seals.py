"""history seals: a keyed hash on every revision and audit event (J4)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 10:00:00

Rows written before this migration keep a NULL seal: `kyoto verify` counts them as written before
sealing began and cannot vouch for them. The migration cannot seal them itself: seals are keyed by
the application's SECRET_KEY, which the database never sees.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("revision", "audit_event")


def _has_seal(table: str) -> bool:
    return "seal" in {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    for table in TABLES:
        # Only where missing: a downgrade leaves the columns in place (see below).
        if not _has_seal(table):
            op.add_column(table, sa.Column("seal", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Keeps the seal columns: they are the evidence that history was not changed, and dropping
    them would erase it. Code of migration 0001 ignores a nullable column it does not know (its
    rows stay unsealed, and `kyoto verify` reports them once upgraded again); a downgrade to
    base drops the tables, seals included."""
