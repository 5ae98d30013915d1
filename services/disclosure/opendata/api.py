"""Open data downloads: every disclosed record as CSV or JSON, streamed."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select

from services.disclosure.database import kernel
from services.disclosure.opendata.datasets import DATASETS, Dataset, DatasetName
from services.disclosure.public.caching import CACHE_CONTROL, matches
from services.disclosure.public.query import StrictQuery
from shared.app import service_context
from shared.db.engine import Database

router = APIRouter(prefix="/v1/open-data", tags=["open data"], dependencies=[StrictQuery])

# A leading = + - @ makes spreadsheet programs run a cell as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Format(StrEnum):
    """Download formats."""

    csv = "csv"
    json = "json"


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _csv(database: Database, dataset: Dataset) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=dataset.columns, lineterminator="\r\n", extrasaction="raise")
    writer.writeheader()
    with database.reads() as session, session.begin():
        for record in dataset.records(session):
            writer.writerow({k: _cell(v) for k, v in dataset.row(record).items()})
            if buffer.tell() > 64_000:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
    yield buffer.getvalue()


def _json(database: Database, name: str, dataset: Dataset) -> Iterator[str]:
    yield f'{{"dataset":"{name}","items":['
    with database.reads() as session, session.begin():
        for index, record in enumerate(dataset.records(session)):
            yield ("," if index else "") + record.model_dump_json(exclude_unset=dataset.exclude_unset)
    yield "]}"


def _version(database: Database, name: str, fmt: str) -> str:
    # Every change to the read model arrives through the inbox, so its size and latest arrival
    # identify the data's version without reading the whole dataset first.
    inbox = kernel.inbox
    with database.reads() as session, session.begin():
        count, latest = session.execute(select(func.count(), func.max(inbox.c.received_at))).one()
    digest = hashlib.sha256(f"{name}|{fmt}|{count}|{latest}".encode()).hexdigest()[:32]
    return f'W/"{digest}"'


@router.get(
    "/{dataset}.{fmt}",
    summary="Download a dataset (events, retirements, certificates) as CSV or JSON",
    responses={200: {"content": {"text/csv": {}, "application/json": {}}}},
)
def download(request: Request, dataset: Annotated[DatasetName, Path()], fmt: Annotated[Format, Path()]) -> Response:
    """All records of a dataset; the numbers are the API's (CSV columns not disclosed stay empty)."""
    database = service_context(request).database
    etag = _version(database, dataset, fmt.value)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    chosen = DATASETS[dataset]
    if fmt is Format.csv:
        headers["Content-Disposition"] = f'attachment; filename="lingtan-{dataset}.csv"'
        return StreamingResponse(_csv(database, chosen), media_type="text/csv; charset=utf-8", headers=headers)
    return StreamingResponse(_json(database, dataset, chosen), media_type="application/json", headers=headers)
