"""A sign-in attempt is recorded as in flight until its password has been checked, so
that an office signing in at once is not counted as an address guessing passwords.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # rows written before this revision are settled failures
    op.add_column(
        "login_failures",
        sa.Column("in_flight", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("login_failures", "in_flight")
