"""Alembic environment: runs against a connection handed over by tracker.db, or, for a
developer running `alembic` by hand, against the URL in alembic.ini.

SQLite migrations use batch mode (table copy) so ALTERs work, with foreign keys switched
off for the copy and checked again afterwards.
"""

from alembic import context
from sqlalchemy import create_engine, text

from tracker.schema import metadata as target_metadata

config = context.config


def _run(connection) -> None:
    is_sqlite = connection.dialect.name == "sqlite"
    if is_sqlite:
        connection.execute(text("PRAGMA foreign_keys=OFF"))
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=is_sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if is_sqlite:
        problems = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
        if problems:
            raise RuntimeError(f"foreign key check failed after migration: {len(problems)} rows")
        connection.execute(text("PRAGMA foreign_keys=ON"))


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as conn:
        _run(conn)
