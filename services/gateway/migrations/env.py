"""Alembic environment of the gateway's database."""

from services.gateway import models  # noqa: F401 - registers every table on the metadata
from services.gateway.database import Base
from shared.db.migrations import run_env

run_env(Base.metadata)
