"""SQL of status lists."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.certification.status.models import StatusList
from shared.db.transactions import expect_rows


def get(session: Session, list_id: int) -> StatusList | None:
    """A status list by id."""
    return session.get(StatusList, list_id)


def latest(session: Session) -> StatusList | None:
    """The newest status list: the one new certificates get indices in."""
    return session.execute(select(StatusList).order_by(StatusList.id.desc()).limit(1)).scalar_one_or_none()


def add(session: Session, status_list: StatusList) -> StatusList:
    """Insert a status list (its id is assigned)."""
    session.add(status_list)
    session.flush()
    return status_list


def replace_bits(session: Session, list_id: int, version: int, bits: bytes, jws: str, at: datetime) -> None:
    """New bits and signed form, only if nobody changed the list since `version` was read."""
    result = session.execute(
        update(StatusList)
        .where(StatusList.id == list_id, StatusList.version == version)
        .values(bits=bits, jws=jws, version=version + 1, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    expect_rows(result)
    session.expire_all()
