# Import every model here, so its table is in SQLModel.metadata when schema_ddl.py prints it
# (the same rule as Alembic's env.py imports).
from app.models.author import Author  # noqa: F401
from app.models.book import Book  # noqa: F401
