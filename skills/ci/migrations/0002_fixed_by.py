"""ci: who is credited with a pipeline's recovery (who had said they were on it)

Revision ID: 0002_fixed_by
Revises: 0001_ci
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_fixed_by"
down_revision = "0001_ci"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("ci_changes", sa.Column("fixed_by", sa.String(255), nullable=True))


def downgrade() -> None:
    op.drop_column("ci_changes", "fixed_by")
