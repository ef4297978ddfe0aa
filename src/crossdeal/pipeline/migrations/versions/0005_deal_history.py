"""Deals that can be edited: a version per deal and a history of its changes.

Every update, close and reopen bumps ``deals.version``, so that two people editing the
same deal cannot silently overwrite each other (the second is told the deal changed),
and records each changed field with who and when in ``deal_events``: stage changes with
their dates are what a forecast backtest replays.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("deals", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "deal_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "team_id",
            sa.Integer(),
            sa.ForeignKey("teams.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "deal_id",
            sa.Integer(),
            sa.ForeignKey("deals.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(200), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
    )
    op.create_index("ix_deal_events_deal", "deal_events", ["deal_id", "id"])
    op.create_index("ix_deal_events_team_id", "deal_events", ["team_id"])


def downgrade() -> None:
    op.drop_index("ix_deal_events_team_id", "deal_events")
    op.drop_index("ix_deal_events_deal", "deal_events")
    op.drop_table("deal_events")
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # not a table rebuild: with foreign keys on, dropping the old deals table would
        # delete every committee link and activity on cascade (see 0004)
        op.execute("ALTER TABLE deals DROP COLUMN version")
    else:
        op.drop_column("deals", "version")
