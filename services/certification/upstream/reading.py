"""Reading JSON answers of other services field by field, refusing anything that is not what their API says."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from services.certification.problems import UpstreamAnswer
from shared.problems import BadGateway, Problem, ServiceUnavailable


class Reader:
    """Typed access to one JSON object of one service's answer; errors name the service and the field."""

    def __init__(self, source: str, data: object, where: str = "") -> None:
        if not isinstance(data, Mapping):
            raise UpstreamAnswer(f"{source} answered {where or 'the request'} with something other than an object.")
        self.source = source
        self.data: Mapping[str, Any] = data
        self.where = where

    def _fail(self, key: str, expected: str) -> UpstreamAnswer:
        place = f"{self.where}.{key}" if self.where else key
        return UpstreamAnswer(f"{self.source}: '{place}' is missing or is not {expected}.", field=place)

    def has(self, key: str) -> bool:
        """Whether the field is present and not null."""
        return self.data.get(key) is not None

    def text(self, key: str) -> str:
        """A required string."""
        value = self.data.get(key)
        if not isinstance(value, str):
            raise self._fail(key, "a string")
        return value

    def optional_text(self, key: str) -> str | None:
        """A string or null."""
        return None if self.data.get(key) is None else self.text(key)

    def integer(self, key: str) -> int:
        """A required integer (booleans refused)."""
        value = self.data.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._fail(key, "an integer")
        return value

    def optional_integer(self, key: str) -> int | None:
        """An integer or null."""
        return None if self.data.get(key) is None else self.integer(key)

    def boolean(self, key: str, default: bool) -> bool:
        """A boolean, or the default when absent."""
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self._fail(key, "true or false")
        return value

    def decimal(self, key: str) -> Decimal:
        """An exact decimal carried as a string (an integer is accepted; a float never)."""
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self._fail(key, "a decimal string")
        try:
            parsed = Decimal(value)
        except InvalidOperation as exc:
            raise self._fail(key, "a decimal string") from exc
        if not parsed.is_finite():
            raise self._fail(key, "a finite decimal")
        return parsed

    def day(self, key: str) -> date:
        """A calendar date; a timestamp gives its own calendar day as written."""
        value = self.text(key)
        try:
            return date.fromisoformat(value[:10])
        except ValueError as exc:
            raise self._fail(key, "an ISO 8601 date") from exc

    def moment(self, key: str) -> datetime:
        """A timestamp with its offset (RFC 3339)."""
        value = self.text(key)
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise self._fail(key, "an RFC 3339 timestamp") from exc
        if parsed.tzinfo is None:
            raise self._fail(key, "a timestamp with a time zone")
        return parsed

    def strings(self, key: str) -> tuple[str, ...]:
        """A list of strings (absent means empty)."""
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._fail(key, "a list of strings")
        return tuple(value)

    def child(self, key: str) -> Reader:
        """A nested object."""
        return Reader(self.source, self.data.get(key), f"{self.where}.{key}" if self.where else key)

    def optional_child(self, key: str) -> Reader | None:
        """A nested object or null."""
        return None if self.data.get(key) is None else self.child(key)

    def children(self, key: str) -> list[Reader]:
        """A list of objects (absent means empty)."""
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise self._fail(key, "a list")
        place = f"{self.where}.{key}" if self.where else key
        return [Reader(self.source, item, f"{place}[{i}]") for i, item in enumerate(value)]


def json_answer(source: str, response: httpx.Response, what: str) -> Any:
    """The JSON body of a successful answer; a clear problem for anything else."""
    if response.status_code in (502, 503, 504):
        status = response.status_code
        raise ServiceUnavailable(f"{source} is unavailable ({status}) while reading {what}; retry shortly.")
    if response.status_code >= 400:
        raise _upstream_problem(source, response, what)
    try:
        return response.json()
    except ValueError as exc:
        raise UpstreamAnswer(f"{source} answered {what} with something other than JSON.") from exc


def _upstream_problem(source: str, response: httpx.Response, what: str) -> Problem:
    detail = ""
    try:
        body = response.json()
        if isinstance(body, Mapping) and isinstance(body.get("detail"), str):
            detail = f": {body['detail']}"
    except ValueError:
        pass
    status = response.status_code
    return BadGateway(f"{source} refused to give {what} ({status}){detail}", upstream_status=status)
