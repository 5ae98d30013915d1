"""Alembic environment of the registry service's database."""

from services.registry import models  # noqa: F401 - registers every table on the metadata
from services.registry.database import Base
from shared.db.migrations import run_env

run_env(Base.metadata)
