"""Bounds on every input, read off each service's OpenAPI document and then tried one past the bound.

Every string a client sends has a maxLength (or is an enum or a date), every array a maxItems, every
number a maximum, every free-form object a maxProperties, except the few named below with the reason
they are bounded elsewhere. Then each bound is crossed by one: the answer is a 422 problem naming that
very input, and the service's database is as it was. Bodies over the size limit, JSON nested ten
thousand deep and numbers no field can hold get problems too, never a 500 or a hang.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from services.accounting.inventories.limits import _INVENTORY_WRITE, INVENTORY_MAX_BODY
from services.certification.applications.schemas import MAX_CONTENT_DEPTH
from shared.limits import DEFAULT_MAX_BODY
from tests.security.openapi_inputs import (
    SERVICES,
    WRITE_METHODS,
    Input,
    all_inputs,
    documents,
    operations,
    public_path,
)
from tests.security.probes import assert_problem, concrete
from tests.support import tokens

INPUTS = all_inputs()
BOUNDED = [item for item in INPUTS if item.limit is not None]
NUMBERS = [item for item in INPUTS if item.kind in ("integer", "number", "decimal")]
FREE_FORM = [item for item in INPUTS if item.kind == "object"]
WRITES = [
    (service, method, path)
    for service in SERVICES
    for method, path, operation in operations(service)
    if method in WRITE_METHODS and "application/json" in operation.get("requestBody", {}).get("content", {})
    and not path.endswith("/inbox")
]

# Inputs without a bound in their schema, each with what bounds it instead.
BOUNDED_ELSEWHERE = {
    f"{service} POST /v1/inbox body.notifications.[].payload": (
        "a record as its source service wrote it: only the services' own clients (notifications:deliver) "
        "may post to the inbox, and the body limit (1 MiB) caps it"
    )
    for service in ("accounting", "registry", "disclosure")
}

# Values no field can hold, as raw JSON text (Python would write 1e400 as Infinity).
HUGE_NUMBERS = {"1e400": "1e400", "10**100": str(10**100), "5000 digits": "9" * 5000}


def _ids(items: list[Input]) -> list[str]:
    return [item.name for item in items]


def _target(platform, hostile: httpx.Client, service: str, path: str) -> tuple[str, dict[str, str]]:
    """The URL to call and its authorization: through the gateway, but only services post to an inbox."""
    if path.endswith("/inbox"):
        token = tokens.signed(platform, tokens.claims_for(platform, service, "notifications:deliver"))
        return f"{platform.service_url(service)}{path}", {"Authorization": f"Bearer {token}"}
    return f"{platform.url}{public_path(service, path)}", {"Authorization": hostile.headers["Authorization"]}


def _placed(parts: tuple[str, ...], value: Any) -> Any:
    """`value` at a place in a body: ("lines", "[]", "quantity") gives {"lines": [{"quantity": value}]}."""
    if not parts:
        return value
    inner = _placed(parts[1:], value)
    if parts[0] == "[]":
        return [inner]
    return {"member" if parts[0] == "*" else parts[0]: inner}


def _send(platform, http: httpx.Client, hostile: httpx.Client, item: Input, value: Any, ids: dict[str, str],
          raw: str | None = None) -> httpx.Response:
    """Call the input's operation with `value` in the input's place (or the raw JSON text `raw` there)."""
    where, name = item.where[0], item.where[1]
    path = concrete(item.path, ids, **({name: raw or value} if where == "path" else {}))
    url, headers = _target(platform, hostile, item.service, path)
    params = {name: raw or value} if where == "query" else None
    content = None
    if where == "body" and item.media == "application/json":
        marker = "\x00raw\x00"
        text = json.dumps(_placed(item.where[1:], marker if raw else value))
        content = text.replace(json.dumps(marker), raw) if raw else text
    elif where == "body":
        content = urlencode({name: raw or value})  # a form is flat: the input is one field
    headers["Content-Type"] = item.media
    return http.request(item.method, url, params=params, content=content, headers=headers)


def _names_input(problem: dict[str, Any], item: Input) -> bool:
    """Whether the problem's errors point at the input (union members may add a step to the location)."""
    want = [("0" if part == "[]" else "member" if part == "*" else part) for part in item.where]
    for error in problem.get("errors", []):
        steps = iter(error["location"])
        if all(any(step == part for step in steps) for part in want):
            return True
    return False


def _read_back(hostile: httpx.Client, item: Input, ids: dict[str, str]) -> tuple[int, str] | None:
    """What a write would have changed, read at its own path or the nearest one above it that has a GET."""
    if item.method not in WRITE_METHODS or item.path.endswith("/inbox"):
        return None
    paths = documents()[item.service]["paths"]
    candidate = item.path
    while candidate and "get" not in paths.get(candidate, {}):
        candidate = candidate.rsplit("/", 1)[0]
    if not candidate:
        return None
    response = hostile.get(public_path(item.service, concrete(candidate, ids)))
    return response.status_code, response.text


def _refused_and_unchanged(hostile, fingerprints, ids, item: Input, send) -> dict[str, Any]:
    """Send, check the answer is a refusal, check nothing changed; the problem document."""
    before, read_before = fingerprints[item.service].take(), _read_back(hostile, item, ids)
    problem = assert_problem(send(), (400, 413, 422))
    assert fingerprints[item.service].take() == before
    assert _read_back(hostile, item, ids) == read_before
    return problem


@pytest.mark.parametrize("item", INPUTS, ids=_ids(INPUTS))
def test_every_input_declares_its_bound(item: Input) -> None:
    assert item.limit is not None or item.closed or item.name in BOUNDED_ELSEWHERE, (
        f"{item.name} ({item.kind}) has no bound in the schema: declare one (Field(max_length=..., le=...)) "
        f"or name what bounds it in BOUNDED_ELSEWHERE"
    )


def test_every_exception_names_a_published_input() -> None:
    assert set(BOUNDED_ELSEWHERE) <= {item.name for item in INPUTS}


def test_the_running_services_publish_the_documents_the_cases_come_from(platform, http) -> None:
    for service in SERVICES:
        served = http.get(f"{platform.service_url(service)}/openapi.json").json()
        assert served == documents()[service], f"{service}'s served OpenAPI document differs"


@pytest.mark.parametrize("item", BOUNDED, ids=_ids(BOUNDED))
def test_one_past_the_bound_is_refused_and_changes_nothing(platform, http, hostile, known_ids, fingerprints, item):
    def send():
        return _send(platform, http, hostile, item, item.past_the_bound(), known_ids)

    problem = _refused_and_unchanged(hostile, fingerprints, known_ids, item, send)
    assert problem["status"] == 422
    assert _names_input(problem, item), problem
    messages = " ".join(e["message"] for e in problem["errors"])
    assert item.refusal in messages, messages


@pytest.mark.parametrize("huge", HUGE_NUMBERS)
@pytest.mark.parametrize("item", NUMBERS, ids=_ids(NUMBERS))
def test_a_number_no_field_can_hold_is_refused(platform, http, hostile, known_ids, fingerprints, item, huge):
    def send():
        return _send(platform, http, hostile, item, None, known_ids, raw=HUGE_NUMBERS[huge])

    problem = _refused_and_unchanged(hostile, fingerprints, known_ids, item, send)
    # Past 4,300 digits a JSON body is refused by the parser, before any field is looked at.
    if huge != "5000 digits" or item.where[0] != "body":
        assert problem["status"] == 422 and _names_input(problem, item), problem


def _limit_for(platform, service: str, path: str) -> int:
    if service == "gateway":
        return int(platform.settings.gateway_max_body_bytes)
    return INVENTORY_MAX_BODY if service == "accounting" and _INVENTORY_WRITE.match(path) else DEFAULT_MAX_BODY


@pytest.mark.parametrize(("service", "method", "path"), WRITES, ids=[f"{s} {m.upper()} {p}" for s, m, p in WRITES])
def test_a_body_over_the_size_limit_gets_413(platform, hostile, known_ids, fingerprints, service, method, path):
    limit = _limit_for(platform, service, path)
    body = b'{"name": "' + b"x" * limit + b'"}'
    before = fingerprints[service].take()
    response = hostile.request(method, public_path(service, concrete(path, known_ids)), content=body,
                               headers={"Content-Type": "application/json"})
    assert_problem(response, (413,))
    assert fingerprints[service].take() == before


def _streamed(size: int):
    chunk = b"x" * 65536
    yield b'{"name": "'
    for _ in range(size // len(chunk) + 1):
        yield chunk
    yield b'"}'


@pytest.mark.parametrize("service", SERVICES)
def test_a_streamed_body_over_the_size_limit_gets_413(platform, http, hostile, known_ids, service):
    # Without a Content-Length the limit can only count: the body is refused once it has passed the limit.
    if service == "gateway":
        method, url, limit = "post", f"{platform.url}/registry/v1/accounts", platform.settings.gateway_max_body_bytes
    else:
        method, path = next((m, p) for s, m, p in WRITES if s == service)
        url, limit = f"{platform.service_url(service)}{concrete(path, known_ids)}", DEFAULT_MAX_BODY
    headers = {"Authorization": hostile.headers["Authorization"], "Content-Type": "application/json"}
    response = http.request(method, url, content=_streamed(limit), headers=headers)
    assert_problem(response, (413,))


NESTINGS = {
    "10000 arrays": "[" * 10_000 + "]" * 10_000,
    "10000 objects": '{"a":' * 10_000 + "1" + "}" * 10_000,
}


@pytest.mark.parametrize("nesting", NESTINGS)
@pytest.mark.parametrize(("service", "method", "path"), WRITES, ids=[f"{s} {m.upper()} {p}" for s, m, p in WRITES])
def test_deeply_nested_json_is_a_clear_problem(platform, hostile, known_ids, fingerprints, service, method, path,
                                                nesting):
    before = fingerprints[service].take()
    response = hostile.request(method, public_path(service, concrete(path, known_ids)), content=NESTINGS[nesting],
                               headers={"Content-Type": "application/json"})
    assert_problem(response, (400, 422))
    assert fingerprints[service].take() == before


# Past the parser, only the services' own clients may put anything in an inbox payload.
DEEP = [
    (item, depth)
    for item in FREE_FORM
    for depth in (MAX_CONTENT_DEPTH + 1, 900, 10_000)
    if depth == 10_000 or not item.path.endswith("/inbox")
]


@pytest.mark.parametrize(("item", "depth"), DEEP, ids=[f"{item.name} {depth} deep" for item, depth in DEEP])
def test_deep_nesting_inside_a_free_form_member_is_refused(platform, http, hostile, known_ids, fingerprints, item,
                                                           depth):
    nested = '{"a":' * depth + "1" + "}" * depth
    marker = "\x00deep\x00"

    def send():
        members = json.dumps({**item.required_members(), "deep": marker}).replace(json.dumps(marker), nested)
        return _send(platform, http, hostile, item, None, known_ids, raw=members)

    problem = _refused_and_unchanged(hostile, fingerprints, known_ids, item, send)
    if depth < 10_000:
        assert _names_input(problem, item), problem
        assert "deep" in json.dumps(problem), problem
    else:
        assert problem["status"] == 400  # the JSON parser's own limit
