"""Policy documents: the regulator publishes versions; everyone reads them; every publication is audited."""

from __future__ import annotations

import logging

import httpx
from sqlalchemy import select

from services.disclosure.audit.models import AuditRecord
from tests.disclosure.disclosure_platform import service_token
from tests.disclosure.disclosure_samples import unique


def document(slug: str, **changes):
    body = {
        "slug": slug,
        "title_zh": "海南省大型活动碳中和实施指南",
        "title_en": "Hainan guidance on carbon-neutral large events",
        "kind": "policy",
        "jurisdiction": "CN-HI",
        "body": "第一条 为推动大型活动碳中和……",
        "effective_date": "2026-01-01",
    }
    body.update(changes)
    return body


def test_publishing_needs_a_token_with_policy_write(platform):
    url = f"{platform.url}/disclosure/v1/policies"
    anonymous = httpx.post(url, json=document(unique("p").replace("_", "-")))
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == "application/problem+json"
    # A token the disclosure service accepts, but without the scope.
    direct = f"{platform.service_url('disclosure')}/v1/policies"
    headers = {"Authorization": f"Bearer {service_token(platform, 'registry')}"}
    wrong_scope = httpx.post(direct, json=document(unique("p").replace("_", "-")), headers=headers)
    assert wrong_scope.status_code == 403
    assert wrong_scope.json()["required"] == ["policy:write"]
    assert "insufficient_scope" in wrong_scope.headers["www-authenticate"]


def test_a_slug_published_again_becomes_a_new_version_and_old_ones_stay(platform, caplog):
    regulator = platform.register("org:hainan-dee", "policy:write")
    slug = unique("guide").replace("_", "-")
    url = f"{platform.url}/disclosure/v1/policies"
    with regulator.client() as client, caplog.at_level(logging.INFO, logger="lingtan.disclosure.audit"):
        first = client.post("/disclosure/v1/policies", json=document(slug))
        second = client.post(
            "/disclosure/v1/policies", json=document(slug, body="第一条（修订）", effective_date="2026-07-01")
        )
    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["version"], second.json()["version"]) == (1, 2)
    assert second.headers["location"] == f"/disclosure/v1/policies/{slug}"

    latest = httpx.get(f"{url}/{slug}").json()
    assert (latest["version"], latest["body"], latest["latest"]) == (2, "第一条（修订）", True)
    versions = httpx.get(f"{url}/{slug}/versions").json()["items"]
    assert [(v["version"], v["latest"], v["effective_date"]) for v in versions] == [
        (2, True, "2026-07-01"),
        (1, False, "2026-01-01"),
    ]
    listed = [p for p in httpx.get(url, params={"jurisdiction": "CN-HI"}).json()["items"] if p["slug"] == slug]
    assert [p["version"] for p in listed] == [2]

    with platform.database("disclosure").reads() as session:
        trail = session.execute(select(AuditRecord).where(AuditRecord.target.like(f"{slug}@%"))).scalars().all()
    assert sorted(r.target for r in trail) == [f"{slug}@1", f"{slug}@2"]
    assert {(r.actor, r.owner, r.action) for r in trail} == {
        (regulator.client_id, "org:hainan-dee", "policy.published")
    }
    assert all(r.source.endswith("127.0.0.1") for r in trail)
    logged = [
        r
        for r in caplog.records
        if getattr(r, "audit_action", None) == "policy.published" and r.audit_target.startswith(slug)
    ]
    assert len(logged) == 2 and logged[0].actor == regulator.client_id


def test_notices_and_policies_are_told_apart_and_input_is_bounded(platform):
    regulator = platform.register("org:shandong-dee", "policy:write")
    slug = unique("notice").replace("_", "-")
    with regulator.client() as client:
        created = client.post("/disclosure/v1/policies", json=document(slug, kind="notice", jurisdiction="CN-SD"))
        too_long = client.post("/disclosure/v1/policies", json=document(slug, body="字" * 20_001))
        bad_slug = client.post("/disclosure/v1/policies", json=document("Not A Slug"))
        unknown_field = client.post("/disclosure/v1/policies", json={**document(slug), "author": "x"})
    assert created.status_code == 201
    assert [r.status_code for r in (too_long, bad_slug, unknown_field)] == [422, 422, 422]
    notices = httpx.get(f"{platform.url}/disclosure/v1/policies", params={"kind": "notice", "jurisdiction": "CN-SD"})
    assert slug in [p["slug"] for p in notices.json()["items"]]
    assert httpx.get(f"{platform.url}/disclosure/v1/policies/{slug}/versions").json()["items"][0]["kind"] == "notice"
    assert httpx.get(f"{platform.url}/disclosure/v1/policies/no-such-document").status_code == 404
