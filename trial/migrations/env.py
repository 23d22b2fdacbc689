"""Alembic environment: always given a connection by trial.migrate (no alembic.ini, no offline mode)."""
from alembic import context

from trial.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `flask --app wsgi trial init-db`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by rebuilding them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
