"""Alembic environment of the disclosure service's database."""

from services.disclosure import models  # noqa: F401 - registers every table on the metadata
from services.disclosure.database import Base
from shared.db.migrations import run_env

run_env(Base.metadata)
