"""A provincial app's sign-on is trusted by its JWKS, with per-service audiences, a scope ceiling, and owners
and clients in a namespace of its own (`<alias>/<sub>`) that can never be the platform's."""

import asyncio

import httpx
import pytest
from pydantic import ValidationError

from services.gateway.routing.proxy import _rate_key
from shared.problems import InvalidInput
from shared.settings import PlatformSettings
from tests.support.issuers import ALIAS, ISSUER, serving_jwks
from tests.support.issuers import trusting_platform as trusting_platform_of


@pytest.fixture(scope="module")
def external_idp():
    with serving_jwks() as idp:
        yield idp


@pytest.fixture(scope="module")
def trusting_platform(tmp_path_factory, schema_prefix, external_idp):
    scopes = ["registry:read", "notifications:deliver"]
    with trusting_platform_of(tmp_path_factory.mktemp("trusting"), schema_prefix, external_idp,
                              allowed_scopes=scopes) as running:
        yield running


def _inbox(platform, token, where="service"):
    base = platform.service_url("disclosure") if where == "service" else f"{platform.url}/disclosure"
    return httpx.post(f"{base}/v1/inbox", json={"notifications": []}, headers={"Authorization": f"Bearer {token}"})


def test_external_token_is_verified_by_its_jwks_and_audience(trusting_platform, external_idp):
    good = external_idp.token("disclosure", "notifications:deliver")
    # Verified (a notification source check follows), so not a 401.
    for where in ("gateway", "service"):
        response = _inbox(trusting_platform, good, where)
        assert response.status_code == 200, response.text


def test_external_token_for_another_service_is_refused(trusting_platform, external_idp):
    token = external_idp.token("registry", "notifications:deliver")
    assert _inbox(trusting_platform, token).status_code == 401


def test_external_scopes_are_capped_and_owner_and_client_are_in_the_issuers_namespace(trusting_platform, external_idp):
    verifier = trusting_platform.built["disclosure"].app.state.verifier
    token = external_idp.token("disclosure", "registry:read admin policy:write")
    principal = asyncio.run(verifier.verify(token))
    assert principal.scopes == {"registry:read"}
    assert principal.owner == f"{ALIAS}/citizen-42" and principal.issuer == ISSUER
    assert principal.client_id == f"{ALIAS}/province-carbon-app"


@pytest.mark.parametrize("claim", ["sub", "client_id"])
def test_an_external_subject_or_client_longer_than_its_bound_is_refused(trusting_platform, external_idp, claim):
    verifier = trusting_platform.built["disclosure"].app.state.verifier
    at_the_bound = asyncio.run(verifier.verify(external_idp.token("disclosure", "registry:read", **{claim: "x" * 64})))
    assert len(at_the_bound.owner if claim == "sub" else at_the_bound.client_id) == len(ALIAS) + 1 + 64
    token = external_idp.token("disclosure", "notifications:deliver", **{claim: "x" * 65})
    response = _inbox(trusting_platform, token, "service")
    assert response.status_code == 401 and "at most 64" in response.json()["detail"]


@pytest.mark.parametrize("where", ["gateway", "service"])
def test_external_token_without_client_id_is_refused(trusting_platform, external_idp, where):
    token = external_idp.token("disclosure", "notifications:deliver", client_id=None)
    response = _inbox(trusting_platform, token, where)
    assert response.status_code == 401, response.text
    assert "client_id" in response.json()["detail"]


@pytest.mark.parametrize("where", ["gateway", "service"])
def test_an_external_client_id_naming_a_service_client_cannot_deliver_its_notifications(
    trusting_platform, external_idp, where
):
    # The inbox lets a service's own client deliver that service's notifications; an external token
    # saying client_id "service-registry" is the client "province/service-registry", not the registry.
    token = external_idp.token("disclosure", "notifications:deliver", client_id="service-registry")
    note = {
        "id": "00000000-0000-4000-8000-000000000001", "source": "registry", "topic": "retirement.recorded",
        "record_id": "ret_1", "seq": 1, "created_at": "2024-01-01T00:00:00Z", "payload": {},
    }
    base = trusting_platform.service_url("disclosure") if where == "service" else f"{trusting_platform.url}/disclosure"
    response = httpx.post(f"{base}/v1/inbox", json={"notifications": [note]},
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403, response.text


def test_a_key_the_external_issuer_does_not_publish_is_refused(trusting_platform):
    with serving_jwks() as stranger:
        token = stranger.token("disclosure", "notifications:deliver")
    assert _inbox(trusting_platform, token).status_code == 401


def _settings(*issuers):
    return PlatformSettings(trusted_issuers=list(issuers))


def test_a_trusted_issuer_without_an_alias_does_not_start_and_the_error_names_it():
    with pytest.raises(ValidationError) as refused:
        _settings({"issuer": "https://sso.hainan.example", "jwks_url": "https://sso.hainan.example/certs"})
    assert "https://sso.hainan.example" in str(refused.value) and "alias" in str(refused.value)


@pytest.mark.parametrize("alias", ["", "Hainan", "1hainan", "hai/nan", "hai nan", "hainan\n", "h" * 33, 7])
def test_an_alias_outside_its_pattern_is_refused(alias):
    with pytest.raises(ValidationError) as refused:
        _settings({"issuer": "https://sso.hainan.example", "alias": alias, "jwks_url": "https://x.example/certs"})
    assert "https://sso.hainan.example" in str(refused.value)


@pytest.mark.parametrize("alias", ["h", "hainan", "sd-2", "a" + "b" * 31])
def test_an_alias_inside_its_pattern_is_taken(alias):
    settings = _settings({"issuer": "https://sso.hainan.example", "alias": alias, "jwks_url": "https://x.example/c"})
    assert settings.trusted_issuers[0].alias == alias


def test_two_issuers_cannot_share_an_alias():
    with pytest.raises(ValidationError) as refused:
        _settings(
            {"issuer": "https://sso.hainan.example", "alias": "province", "jwks_url": "https://a.example/certs"},
            {"issuer": "https://sso.shandong.example", "alias": "province", "jwks_url": "https://b.example/certs"},
        )
    message = str(refused.value)
    assert "https://sso.shandong.example" in message and "https://sso.hainan.example" in message


def test_a_trusted_issuer_cannot_be_the_platforms_own():
    with pytest.raises(ValidationError) as refused:
        _settings({"issuer": "http://127.0.0.1:8000", "alias": "self", "jwks_url": "https://a.example/certs"})
    assert "http://127.0.0.1:8000" in str(refused.value)


@pytest.mark.parametrize("owner", [f"{ALIAS}/person:li", "person:li/", "/person:li", "a/b/c"])
def test_a_platform_client_can_never_be_registered_in_an_issuers_namespace(trusting_platform, owner):
    # The '/' of `<alias>/<sub>` is what keeps sign-on owners apart from the platform's: no platform client,
    # however registered, acts for an owner that contains it.
    admin = trusting_platform.register("lingtan:admin", "admin")
    body = {"name": "impostor", "owner": owner, "scopes": ["registry:read"]}
    response = httpx.post(f"{trusting_platform.url}/admin/clients", json=body, headers=admin.headers())
    assert response.status_code == 422, response.text
    with pytest.raises(InvalidInput):
        trusting_platform.register(owner, "registry:read")


def test_each_person_of_a_providers_app_draws_on_a_rate_bucket_of_their_own(trusting_platform, external_idp):
    gateway = trusting_platform.built["gateway"].app.state.gateway
    verifier = gateway.verifier
    li, wang = (asyncio.run(verifier.check(external_idp.token("disclosure", "registry:read", sub=sub)))
                for sub in ("person:li", "person:wang"))
    assert li.principal.client_id == wang.principal.client_id, "one app"
    assert _rate_key(gateway, li.principal, "10.0.0.1") == f"owner:{ALIAS}/person:li"
    assert _rate_key(gateway, wang.principal, "10.0.0.1") == f"owner:{ALIAS}/person:wang"
    caller = trusting_platform.register("org:rated", "registry:read")
    platform_token = asyncio.run(verifier.check(caller.token()))
    assert _rate_key(gateway, platform_token.principal, "10.0.0.1") == f"client:{caller.client_id}"
    assert _rate_key(gateway, None, "10.0.0.1") == "address:10.0.0.1"
