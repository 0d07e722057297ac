"""Print the PostgreSQL DDL of the application's models, for convoy's schema-command.

convoy.yaml says `schema-command: python3 schema_ddl.py`; `convoy revision --autogenerate`
runs it, builds the printed schema in a scratch database and writes the migration that takes
the migrations' head there. Works for any SQLAlchemy metadata: swap SQLModel.metadata for
your declarative Base.metadata.
"""
from sqlalchemy import create_mock_engine
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table in SQLModel.metadata)


def emit(statement, *args, **kwargs):
    print(str(statement.compile(dialect=engine.dialect)).strip() + ";\n")


engine = create_mock_engine("postgresql://", emit)
SQLModel.metadata.create_all(engine, checkfirst=False)
