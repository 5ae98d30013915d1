"""Delivery over REST: the inbox checks who sends, and a sender's relay catches up after an outage."""

from __future__ import annotations

import httpx

from shared.outbox import NotificationBatch
from tests.disclosure.disclosure_platform import eventually, get_json, post_inbox, service_token
from tests.disclosure.disclosure_samples import cancellation, note, retirement, unique


def test_the_inbox_applies_a_repeated_delivery_once(platform):
    event_id = unique("evt")
    first = note("retirement.recorded", retirement(unique("ret"), event_id, 1_000), seq=1)
    for _ in range(2):
        response = post_inbox(platform, "registry", first)
        assert response.status_code == 200
        assert response.json() == {"acknowledged": [first.id]}
    items = get_json(f"{platform.url}/disclosure/v1/retirements", event_id=event_id)["items"]
    assert [i["quantity_g"] for i in items] == [1_000]


def test_a_service_may_deliver_only_its_own_notifications(platform):
    forged = note("retirement.recorded", retirement(unique("ret"), unique("evt"), 1), seq=1)
    response = post_inbox(platform, "accounting", forged)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


def test_the_inbox_needs_a_service_token(platform):
    batch = NotificationBatch(notifications=[note("cancellation.recorded", cancellation(unique("xc"), "e", 1), 1)])
    url = f"{platform.service_url('disclosure')}/v1/inbox"
    assert httpx.post(url, json=batch.model_dump(mode="json")).status_code == 401
    caller = platform.register("org:regulator", "policy:write")
    response = httpx.post(url, json=batch.model_dump(mode="json"), headers=caller.headers())
    assert response.status_code == 403


def test_notifications_sent_while_disclosure_is_down_arrive_after_it_returns(fresh_platform):
    registry = fresh_platform.built["registry"].app.state.context
    event_id, ret_id = unique("evt"), unique("ret")
    service_token(fresh_platform, "registry")  # the gateway is up; only disclosure goes down
    fresh_platform.stop_service("disclosure")
    with registry.database.writes() as session, session.begin():
        registry.outbox.publish(session, "retirement.recorded", ret_id, retirement(ret_id, event_id, 7_000))
    eventually(lambda: registry.relay.lag().get("disclosure", {}).get("pending"), 10, "a pending delivery")
    fresh_platform.start_service("disclosure")
    url = f"{fresh_platform.url}/disclosure/v1/retirements"
    items = eventually(lambda: get_json(url, event_id=event_id)["items"], 60, "the retirement to be disclosed")
    assert [(i["id"], i["quantity_g"]) for i in items] == [(ret_id, 7_000)]
    eventually(lambda: not registry.relay.lag(), 10, "the relay to be drained")
    ready = get_json(f"{fresh_platform.service_url('disclosure')}/health/ready")
    assert ready["inbox"]["registry"]["applied"] == 1
    assert "retirement.recorded" in ready["inbox"]["registry"]["lag"]
