"""Alembic environment of the accounting service's database."""

from services.accounting import models  # noqa: F401 - registers every table on the metadata
from services.accounting.database import Base
from shared.db.migrations import run_env

run_env(Base.metadata)
