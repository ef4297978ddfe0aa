"""A team's fitted forecast model, kept between forecasts (and limited to the team on
PostgreSQL, like every other table of team rows).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ALLOWED = (
    "team_id = coalesce(nullif(current_setting('crossdeal.team_id', true), '')::integer, team_id)"
)


def upgrade() -> None:
    op.create_table(
        "forecast_models",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "team_id", sa.Integer(), sa.ForeignKey("teams.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("fitted_at", sa.DateTime(), nullable=False),
        sa.Column("fitted_on", sa.Date(), nullable=False),
        sa.Column("closed_deals", sa.Integer(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("format", sa.Integer(), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("metrics", sa.Text(), nullable=False),
    )
    op.create_index("ix_forecast_models_team_id", "forecast_models", ["team_id"], unique=True)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE forecast_models ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE forecast_models FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY crossdeal_team ON forecast_models USING ({ALLOWED}) "
            f"WITH CHECK ({ALLOWED})"
        )


def downgrade() -> None:
    op.drop_table("forecast_models")
