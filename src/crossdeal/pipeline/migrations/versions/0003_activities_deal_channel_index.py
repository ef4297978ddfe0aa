"""Index activities by deal, channel and the unqualified-yes flag.

The risk signals count each open deal's activities, its video and in-person ones and
its unqualified yeses. With all three columns in one index those counts are read from
the index alone; the index on deal_id by itself is then redundant, as the new one
starts with deal_id.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_activities_deal_channel", "activities", ["deal_id", "channel", "unqualified_yes"]
    )
    op.drop_index("ix_activities_deal_id", table_name="activities")


def downgrade() -> None:
    op.create_index("ix_activities_deal_id", "activities", ["deal_id"])
    op.drop_index("ix_activities_deal_channel", table_name="activities")
