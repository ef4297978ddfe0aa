"""Row-level security on PostgreSQL: a transaction marked for a team sees only its rows.

The team server marks every transaction of a signed-in request with the setting
``crossdeal.team_id`` (``Database.for_team``). These policies then keep every read,
change and insert of the team's tables to that team, whatever the query says, so a
filter forgotten in the code cannot leak another team's records. A transaction with no
mark (the command line, migrations) is not limited: it acts for whoever runs it.
``FORCE`` applies the policies to the tables' owner too; a superuser, or a role with
BYPASSRLS, is never limited by them, so run the server as an ordinary role.

The committee and attendance link tables hold only pairs of ids and are reached through
the deals and contacts they link, which are limited. SQLite has no row-level security;
there the store's own team filters are the guard.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = ("sellers", "accounts", "contacts", "deals", "activities", "deal_events", "import_jobs")
# unmarked (no setting, or an empty one left by an earlier transaction): every row;
# marked: the team's rows. One expression, so no cast of an empty setting is attempted.
ALLOWED = (
    "team_id = coalesce(nullif(current_setting('crossdeal.team_id', true), '')::integer, team_id)"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY crossdeal_team ON {table} USING ({ALLOWED}) WITH CHECK ({ALLOWED})"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP POLICY IF EXISTS crossdeal_team ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
