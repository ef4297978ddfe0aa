"""Alembic environment: migrations run on a connection crossdeal passes in."""

from __future__ import annotations

from alembic import context

from crossdeal.pipeline.models import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - crossdeal always passes its connection
    raise RuntimeError("run migrations through crossdeal.pipeline.db.Database.migrate()")

context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
