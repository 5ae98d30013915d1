"""Alembic environment of the certification service's database."""

from services.certification import models  # noqa: F401 - registers every table on the metadata
from services.certification.database import Base
from shared.db.migrations import run_env

run_env(Base.metadata)
