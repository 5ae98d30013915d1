"""A trusted sign-on cannot impersonate the platform's owners: a token whose `sub` is `person:li` acts for
`province/person:li`, never for the platform's own person:li, through the gateway or at the registry's port.

Each refusal leaves Li's holdings and the registry's log as they were; Li's own token, sent the same
request, gets through (so the refusals are the owner check, not a missing event or scope)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.registry.conftest import Operator
from tests.support.events import known_event
from tests.support.issuers import ALIAS, ExternalIssuer, serving_jwks, trusting_platform
from tests.support.running import RunningPlatform

LI = "person:li"
HOLDER_SCOPES = "registry:read registry:transfer registry:retire"
OPERATOR_SCOPES = "registry:admin registry:issue registry:read"


@pytest.fixture(scope="module")
def idp() -> Iterator[ExternalIssuer]:
    with serving_jwks() as issuer:
        yield issuer


@pytest.fixture(scope="module")
def platform_trusting(tmp_path_factory, schema_prefix, idp) -> Iterator[RunningPlatform]:
    with trusting_platform(tmp_path_factory.mktemp("owners"), schema_prefix, idp) as running:
        yield running


@pytest.fixture(scope="module")
def li(platform_trusting) -> Iterator[httpx.Client]:
    """The platform's own person:li, through the gateway."""
    caller = platform_trusting.register(LI, HOLDER_SCOPES, "Li's wallet app")
    with caller.client() as http:
        yield http


@pytest.fixture(scope="module")
def accounts(platform_trusting, li) -> dict[str, str]:
    """Li's wallet holding 10,000 g, and an organization's account to move credits to."""
    wallet = li.post("/registry/v1/accounts", json={"owner": LI, "kind": "person", "name": "李"})
    assert wallet.status_code == 201, wallet.text
    operator_caller = platform_trusting.register("lingtan:registry-operator", OPERATOR_SCOPES)
    other_caller = platform_trusting.register("org:elsewhere", HOLDER_SCOPES)
    with operator_caller.client() as http, other_caller.client() as other:
        operator = Operator(http, operator_caller.owner)
        operator.issue(operator.project()["id"], wallet.json()["id"], 10_000)
        target = other.post("/registry/v1/accounts", json={"owner": "org:elsewhere", "kind": "organization",
                                                           "name": "elsewhere"})
        assert target.status_code == 201, target.text
    return {"wallet": wallet.json()["id"], "to": target.json()["id"]}


@pytest.fixture(scope="module")
def event(platform_trusting) -> str:
    """Another organizer's event, open to donations and known to the registry."""
    return known_event(platform_trusting, "org:expo-organizer")


def _held(li: httpx.Client, wallet: str) -> int:
    return sum(h["quantity_g"] for h in li.get(f"/registry/v1/accounts/{wallet}").json()["holdings"])


def _log_size(platform: RunningPlatform) -> int:
    return int(httpx.get(f"{platform.url}/registry/v1/log/checkpoint").json()["tree_size"])


def _base(platform: RunningPlatform, where: str) -> str:
    return f"{platform.url}/registry" if where == "gateway" else platform.service_url("registry")


@pytest.fixture
def impostor(idp) -> dict[str, str]:
    """A sign-on token for the registry whose sub is the platform owner's name."""
    return {"Authorization": f"Bearer {idp.token('registry', HOLDER_SCOPES, sub=LI)}"}


@pytest.mark.parametrize("where", ["gateway", "service"])
def test_the_impostor_acts_for_the_issuers_namespace(platform_trusting, impostor, where):
    me = httpx.get(f"{_base(platform_trusting, where)}/v1/whoami", headers=impostor).json()
    assert me["owner"] == f"{ALIAS}/{LI}" and me["client_id"] == f"{ALIAS}/province-carbon-app"
    assert set(me["scopes"]) == set(HOLDER_SCOPES.split())


@pytest.mark.parametrize("where", ["gateway", "service"])
def test_the_impostor_cannot_read_lis_account(platform_trusting, li, accounts, impostor, where):
    response = httpx.get(f"{_base(platform_trusting, where)}/v1/accounts/{accounts['wallet']}", headers=impostor)
    assert response.status_code == 403, response.text
    assert li.get(f"/registry/v1/accounts/{accounts['wallet']}").status_code == 200


@pytest.mark.parametrize("where", ["gateway", "service"])
def test_the_impostor_cannot_open_an_account_for_li(platform_trusting, impostor, where):
    size = _log_size(platform_trusting)
    body = {"owner": LI, "kind": "person", "name": "李"}
    response = httpx.post(f"{_base(platform_trusting, where)}/v1/accounts", json=body, headers=impostor)
    assert response.status_code == 403, response.text
    assert _log_size(platform_trusting) == size


def _refused_and_unchanged(platform, li, wallet, url, body, impostor) -> None:
    held, size = _held(li, wallet), _log_size(platform)
    response = httpx.post(url, json=body, headers=impostor)
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert _held(li, wallet) == held and _log_size(platform) == size


@pytest.mark.parametrize("where", ["gateway", "service"])
def test_the_impostor_cannot_transfer_what_li_holds(platform_trusting, li, accounts, impostor, where):
    body = {"from_account": accounts["wallet"], "to_account": accounts["to"], "quantity": 100, "unit_type": "HNCI"}
    url = f"{_base(platform_trusting, where)}/v1/transfers"
    _refused_and_unchanged(platform_trusting, li, accounts["wallet"], url, body, impostor)


@pytest.mark.parametrize("where", ["gateway", "service"])
def test_the_impostor_cannot_donate_from_lis_account_but_li_can(platform_trusting, li, accounts, event, impostor,
                                                                 where):
    body = {"event_id": event, "from_account": accounts["wallet"], "quantity": 100}
    url = f"{_base(platform_trusting, where)}/v1/donations"
    _refused_and_unchanged(platform_trusting, li, accounts["wallet"], url, body, impostor)
    # The same donation from Li's own token goes through: the refusal was the owner check alone.
    held = _held(li, accounts["wallet"])
    assert li.post("/registry/v1/donations", json=body).status_code == 201
    assert _held(li, accounts["wallet"]) == held - 100
