"""The pipeline: teams, sellers, accounts, contacts, deals, committees, activities.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "sellers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "team_id", sa.Integer, sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320)),
        sa.Column("culture", sa.String(16)),
        sa.Column("self_profile", sa.Text),
        sa.UniqueConstraint("team_id", "name"),
    )
    op.create_index("ix_sellers_team_id", "sellers", ["team_id"])
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "team_id", sa.Integer, sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("country", sa.String(200)),
        sa.Column("culture", sa.String(16)),
        sa.Column("industry", sa.String(200)),
        sa.Column("observations", sa.Text, nullable=False, server_default=""),
        sa.Column("source", sa.String(40), nullable=False, server_default="crossdeal"),
        sa.Column("external_id", sa.String(200)),
        sa.UniqueConstraint("team_id", "name"),
    )
    op.create_index("ix_accounts_team_id", "accounts", ["team_id"])
    op.create_index("ix_accounts_external", "accounts", ["team_id", "source", "external_id"])
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "team_id", sa.Integer, sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "account_id",
            sa.Integer,
            sa.ForeignKey("accounts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("culture", sa.String(16)),
        sa.Column("role", sa.String(40)),
        sa.Column("seniority", sa.String(40)),
        sa.Column("observations", sa.Text, nullable=False, server_default=""),
        sa.Column("email", sa.String(320)),
        sa.Column("source", sa.String(40), nullable=False, server_default="crossdeal"),
        sa.Column("external_id", sa.String(200)),
        sa.UniqueConstraint("team_id", "account_id", "name"),
    )
    op.create_index("ix_contacts_team_id", "contacts", ["team_id"])
    op.create_index("ix_contacts_account_id", "contacts", ["account_id"])
    op.create_table(
        "deals",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "team_id", sa.Integer, sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "account_id",
            sa.Integer,
            sa.ForeignKey("accounts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("sellers.id", ondelete="SET NULL")),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("amount", sa.Numeric(16, 2)),
        sa.Column("currency", sa.String(3), nullable=False, server_default="USD"),
        sa.Column("stage", sa.String(100)),
        sa.Column("outcome", sa.String(8), nullable=False, server_default="open"),
        sa.Column("budget_confirmed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("authority_identified", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("need", sa.Text),
        sa.Column("timing", sa.Text),
        sa.Column("standard_offer", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_on", sa.Date),
        sa.Column("expected_close", sa.Date),
        sa.Column("closed_on", sa.Date),
        sa.Column("lost_reason", sa.Text),
        sa.Column("product", sa.String(200)),
        sa.Column("notes", sa.Text),
        sa.Column("source", sa.String(40), nullable=False, server_default="crossdeal"),
        sa.Column("external_id", sa.String(200)),
        sa.UniqueConstraint("team_id", "source", "external_id"),
    )
    op.create_index("ix_deals_team_id", "deals", ["team_id"])
    op.create_index("ix_deals_account_id", "deals", ["account_id"])
    op.create_index("ix_deals_team_outcome", "deals", ["team_id", "outcome"])
    op.create_table(
        "deal_contacts",
        sa.Column(
            "deal_id", sa.Integer, sa.ForeignKey("deals.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "contact_id",
            sa.Integer,
            sa.ForeignKey("contacts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_deal_contacts_contact_id", "deal_contacts", ["contact_id"])
    op.create_table(
        "activities",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "team_id", sa.Integer, sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column(
            "deal_id", sa.Integer, sa.ForeignKey("deals.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False, server_default="outbound"),
        sa.Column("occurred_on", sa.Date, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("unqualified_yes", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_activities_team_id", "activities", ["team_id"])
    op.create_index("ix_activities_deal_id", "activities", ["deal_id"])
    op.create_table(
        "activity_contacts",
        sa.Column(
            "activity_id",
            sa.Integer,
            sa.ForeignKey("activities.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "contact_id",
            sa.Integer,
            sa.ForeignKey("contacts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
    )
    op.create_index("ix_activity_contacts_contact_id", "activity_contacts", ["contact_id"])


def downgrade() -> None:
    for table in (
        "activity_contacts",
        "activities",
        "deal_contacts",
        "deals",
        "contacts",
        "accounts",
        "sellers",
        "teams",
    ):
        op.drop_table(table)
