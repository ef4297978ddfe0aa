"""Keep the counts the risk signals read on each deal.

A listing of many deals used to count each deal's committee, decision-makers met and
activities in correlated subqueries; the store now keeps those six counts on the deal
itself, updated by every write that changes them. This migration adds the columns and
fills them from the rows already there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COUNTS = (
    "committee_size",
    "committee_deciders",
    "deciders_met",
    "activity_count",
    "face_time_count",
    "unqualified_yes_count",
)

# the same counts as PipelineStore.refresh_counts, written out: a migration must not
# change when the application code does
FILL = """
UPDATE deals SET
  committee_size = (SELECT count(*) FROM deal_contacts WHERE deal_contacts.deal_id = deals.id),
  committee_deciders = (
    SELECT count(*) FROM deal_contacts JOIN contacts ON contacts.id = deal_contacts.contact_id
    WHERE deal_contacts.deal_id = deals.id
      AND contacts.role IN ('decision-maker', 'economic-buyer')),
  deciders_met = (
    SELECT count(DISTINCT activity_contacts.contact_id) FROM activities
    JOIN activity_contacts ON activity_contacts.activity_id = activities.id
    JOIN contacts ON contacts.id = activity_contacts.contact_id
    WHERE activities.deal_id = deals.id
      AND contacts.role IN ('decision-maker', 'economic-buyer')
      AND activities.channel IN ('call', 'video', 'in-person')),
  activity_count = (SELECT count(*) FROM activities WHERE activities.deal_id = deals.id),
  face_time_count = (
    SELECT count(*) FROM activities
    WHERE activities.deal_id = deals.id AND activities.channel IN ('video', 'in-person')),
  unqualified_yes_count = (
    SELECT count(*) FROM activities
    WHERE activities.deal_id = deals.id AND activities.unqualified_yes = :yes)
"""


def upgrade() -> None:
    for name in COUNTS:
        op.add_column("deals", sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
    op.get_bind().execute(sa.text(FILL), {"yes": True})


def downgrade() -> None:
    bind = op.get_bind()
    for name in COUNTS:
        if bind.dialect.name == "sqlite":
            # ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not a rebuild of the table: a
            # rebuild drops the old deals table, and with foreign keys on that deletes
            # every committee link and activity on cascade
            op.execute(f"ALTER TABLE deals DROP COLUMN {name}")
        else:
            op.drop_column("deals", name)
