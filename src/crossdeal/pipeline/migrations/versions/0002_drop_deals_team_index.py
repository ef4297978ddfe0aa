"""Drop the deals index on team_id alone.

Every query on deals that filters by team also filters by outcome or by source and
record id, and both of those composite indexes start with team_id; the single-column
index only added work to every insert.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_deals_team_id", table_name="deals")


def downgrade() -> None:
    op.create_index("ix_deals_team_id", "deals", ["team_id"])
