"""The schema comes from the migrations, and they match the models."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from trial import migrate
from trial.models import Base

from .conftest import MigratedDatabase


def test_there_is_a_single_migration_head() -> None:
    assert len(migrate.heads()) == 1, f"two or more heads: {migrate.heads()}; add a merge migration"


def test_models_and_migrations_do_not_drift(database: MigratedDatabase) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations differ; write a migration for: {diff}"


def test_migrations_reach_head_and_build_every_table(database: MigratedDatabase) -> None:
    assert migrate.current_revision(database.engine) == migrate.heads()[0]
    tables = set(inspect(database.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
