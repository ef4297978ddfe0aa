"""A contact's committee role remembers whether it was given or read from a job title, so
that a later title can correct a guess but never a role someone gave.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN: on SQLite a rebuilt table would cascade-delete committee links
    op.add_column(
        "contacts",
        sa.Column("role_guessed", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("contacts", "role_guessed")
