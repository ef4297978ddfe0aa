"""Row-level security fails closed: a transaction that says nothing sees no team's rows.

Migration 0008 let an unmarked transaction see every team's rows, so a server code path
that forgot to mark its transaction (``Database.for_team``) would have read across teams.
Now the setting ``crossdeal.team_id`` must say whom a transaction acts for: a team id
(the server, per request), or ``all`` (the command line and migrations, which act for
whoever runs them and which crossdeal marks so itself). No setting, an empty one, or a
transaction of a tool that does not know about it: no rows, and no row can be written.
A superuser, or a role with BYPASSRLS, is still never limited by the policies.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = (
    "sellers",
    "accounts",
    "contacts",
    "deals",
    "activities",
    "deal_events",
    "import_jobs",
    "forecast_models",
)
# the CASE reads the setting once per branch, so 'all' is never cast to an integer; an
# unset setting is NULL and an empty one becomes NULL, and team_id = NULL holds for no row
FAILS_CLOSED = (
    "team_id = CASE current_setting('crossdeal.team_id', true) WHEN 'all' THEN team_id "
    "ELSE nullif(current_setting('crossdeal.team_id', true), '')::integer END"
)
FAILS_OPEN = (
    "team_id = coalesce(nullif(current_setting('crossdeal.team_id', true), '')::integer, team_id)"
)


def _policies(expression: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP POLICY IF EXISTS crossdeal_team ON {table}")
        op.execute(
            f"CREATE POLICY crossdeal_team ON {table} USING ({expression}) "
            f"WITH CHECK ({expression})"
        )


def upgrade() -> None:
    _policies(FAILS_CLOSED)


def downgrade() -> None:
    _policies(FAILS_OPEN)
