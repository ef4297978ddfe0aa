"""Imports uploaded to the team server, run in the background; and the deals index that
lets a page of a team's open deals be read in id order.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "team_id", sa.Integer(), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("worker", sa.String(200), nullable=True),
        sa.Column("report", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_import_jobs_team_id", "import_jobs", ["team_id"])
    op.create_index("ix_deals_team_outcome_id", "deals", ["team_id", "outcome", "id"])
    op.drop_index("ix_deals_team_outcome", "deals")


def downgrade() -> None:
    op.create_index("ix_deals_team_outcome", "deals", ["team_id", "outcome"])
    op.drop_index("ix_deals_team_outcome_id", "deals")
    op.drop_table("import_jobs")
