"""Junk is cheap: an oversized Authorization field is refused by its length alone (431), and a token is
verified once per request whatever service it names. Counted, never timed: verifications are counted at
the verifier and at python-jose, in every app of the platform (they share this process)."""

import asyncio
from collections import Counter

import httpx
import pytest

from shared.auth import jose_verifier
from shared.auth.tokens import TokenVerifier
from shared.limits import MAX_AUTHORIZATION_BYTES
from shared.problems import HeaderTooLarge
from tests.support import tokens

MB = 1024 * 1024
SIZES = {"1 MB": MB, "8 MB": 8 * MB}


@pytest.fixture
def verifications(monkeypatch) -> Counter:
    """Verifications by the app that made them ("gateway", "disclosure", ...) and calls into python-jose."""
    seen: Counter = Counter()
    check = TokenVerifier._check_uncached

    async def counted(self, token):
        seen[self.service] += 1
        return await check(self, token)

    monkeypatch.setattr(TokenVerifier, "_check_uncached", counted)
    for name in ("unverified_header_and_issuer", "verify"):
        function = getattr(jose_verifier, name)

        def spy(*args, _function=function, _name=name, **kwargs):
            seen[f"jose.{_name}"] += 1
            return _function(*args, **kwargs)

        monkeypatch.setattr(jose_verifier, name, spy)
    return seen


def junk(size: int) -> str:
    """A token-shaped string of `size` characters, signed by nobody."""
    head = tokens.b64(b'{"alg":"ES256","typ":"at+jwt","kid":"junk"}')
    return f"{head}.{'A' * (size - len(head) - 88)}.{'B' * 86}"


def _assert_header_too_large(response: httpx.Response) -> None:
    assert response.status_code == 431, response.text[:300]
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == 431 and body["type"].endswith("/header-too-large")
    assert body["max_bytes"] == MAX_AUTHORIZATION_BYTES


def _requests(platform, authorization: str) -> dict[str, tuple[str, str, dict]]:
    headers = {"Authorization": authorization}
    inbox = {"json": {"notifications": []}, "headers": headers}
    return {
        "gateway, a service's protected route": ("POST", f"{platform.url}/disclosure/v1/inbox", inbox),
        "gateway, a public route": ("GET", f"{platform.url}/disclosure/v1/stats", {"headers": headers}),
        "gateway, its own admin route": ("GET", f"{platform.url}/admin/audit", {"headers": headers}),
        "service's own port": ("POST", f"{platform.service_url('disclosure')}/v1/inbox", inbox),
        "service's own port, whoami": ("GET", f"{platform.service_url('registry')}/v1/whoami", {"headers": headers}),
    }


WHERE = [
    "gateway, a service's protected route",
    "gateway, a public route",
    "gateway, its own admin route",
    "service's own port",
    "service's own port, whoami",
]


def _inbox_url(platform, where: str) -> str:
    base = f"{platform.url}/disclosure" if where == "gateway" else platform.service_url("disclosure")
    return f"{base}/v1/inbox"


def _inbox(url: str, token: str) -> httpx.Response:
    return httpx.post(url, json={"notifications": []}, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("size", SIZES)
def test_an_oversized_bearer_token_gets_431_and_no_verification(platform, verifications, size, where):
    method, url, options = _requests(platform, f"Bearer {junk(SIZES[size])}")[where]
    response = httpx.request(method, url, timeout=60, **options)
    _assert_header_too_large(response)
    assert verifications == {}, "nothing was decoded or verified"


@pytest.mark.parametrize("size", SIZES)
def test_oversized_basic_credentials_at_the_token_endpoint_get_431_before_any_decoding(platform, verifications, size):
    response = httpx.post(
        f"{platform.url}/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": "Basic " + "QUFB" * (SIZES[size] // 4)},
        timeout=60,
    )
    _assert_header_too_large(response)
    assert verifications == {}


@pytest.mark.parametrize("where", ["gateway", "service"])
def test_the_bound_is_on_the_whole_field_and_one_byte_over_it_is_refused(platform, verifications, where):
    url = _inbox_url(platform, where)
    at_the_bound = "Bearer " + junk(MAX_AUTHORIZATION_BYTES - len("Bearer "))
    assert len(at_the_bound) == MAX_AUTHORIZATION_BYTES
    response = httpx.post(url, json={"notifications": []}, headers={"Authorization": at_the_bound})
    assert response.status_code == 401, "a junk token of the largest length allowed is verified, and refused"
    assert verifications["jose.unverified_header_and_issuer"] == 1
    verifications.clear()
    over = httpx.post(url, json={"notifications": []}, headers={"Authorization": at_the_bound + "A"})
    _assert_header_too_large(over)
    assert verifications == {}
    # Two fields that each fit but together do not are one field too many (RFC 9110 §5.3).
    split = [("Authorization", at_the_bound[:5000]), ("Authorization", at_the_bound[:5000])]
    _assert_header_too_large(httpx.post(url, json={"notifications": []}, headers=split))
    assert verifications == {}


def test_the_verifier_itself_refuses_an_oversized_token_unread(platform, verifications):
    verifier = platform.built["registry"].app.state.verifier
    with pytest.raises(HeaderTooLarge):
        asyncio.run(verifier.verify(junk(MB)))
    assert verifications == {}


def test_a_token_for_the_service_is_verified_once_by_the_gateway_and_once_by_the_service(platform, verifications):
    claims = tokens.claims_for(platform, "disclosure", "notifications:deliver", client_id="service-registry")
    token = tokens.signed(platform, claims)
    assert _inbox(f"{platform.url}/disclosure/v1/inbox", token).status_code == 200
    assert verifications == {"gateway": 1, "disclosure": 1, "jose.unverified_header_and_issuer": 2, "jose.verify": 2}
    # Its next uses are not verified again (its times are, in plain code).
    for _ in range(3):
        assert _inbox(f"{platform.url}/disclosure/v1/inbox", token).status_code == 200
    assert verifications["gateway"] == 1 and verifications["disclosure"] == 1


def test_a_token_for_another_service_is_verified_once_and_not_passed_on(platform, verifications):
    token = tokens.signed(platform, tokens.claims_for(platform, "accounting", "events:read"))
    response = _inbox(f"{platform.url}/disclosure/v1/inbox", token)
    # The gateway knows the client (for its rate limit) but the disclosure service never sees the token.
    assert response.status_code == 401 and "bearer token is required" in response.json()["detail"]
    assert verifications == {"gateway": 1, "jose.unverified_header_and_issuer": 1, "jose.verify": 1}


@pytest.mark.parametrize("where", ["gateway", "service"])
def test_a_rejected_token_costs_one_verification_per_request_not_one_per_audience(platform, verifications, where):
    forged = tokens.tampered(tokens.signed(platform, tokens.claims_for(platform, "disclosure", "registry:read")),
                             scope="notifications:deliver")
    url = _inbox_url(platform, where)
    for _ in range(3):
        assert _inbox(url, forged).status_code == 401
    who = "gateway" if where == "gateway" else "disclosure"
    assert verifications == {who: 3, "jose.unverified_header_and_issuer": 3, "jose.verify": 3}
