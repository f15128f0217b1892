"""Alembic environment: run by Storage.migrate() with a live connection, or by the
alembic CLI (alembic.ini at the repository root) against VENTANAS_DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from ventanas.storage.models import Base

config = context.config


def _include_name(name, type_, parent_names) -> bool:
    # APScheduler's job store creates and owns its own table; it is not ours to migrate.
    return not (type_ == "table" and name == "apscheduler_jobs")


def _run(connection) -> None:
    context.configure(
        include_name=_include_name,
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from ventanas.config import load_settings

    engine = create_engine(load_settings().resolved_database_url)
    with engine.begin() as conn:
        _run(conn)
