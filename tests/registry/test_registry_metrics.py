"""Prometheus metrics show what an operator watches: log size, retirements, outbox lag."""

import re

import httpx

from tests.certification.certification_platform import Certification


def _value(text: str, name: str) -> float:
    match = re.search(rf'^{name}{{[^}}]*service="registry"[^}}]*}} ([0-9.e+]+)$', text, re.MULTILINE)
    assert match, f"{name} not in /metrics"
    return float(match.group(1))


def test_metrics_follow_the_ledger(platform):
    before = httpx.get(f"{platform.service_url('registry')}/metrics").text
    actors = Certification.open(platform)
    try:
        event_id = actors.organizer.event()
        account = actors.organizer.account()
        actors.operator.credits(account, 5_000)
        actors.organizer.retire(event_id, account, 1_234)
    finally:
        actors.close()
    after = httpx.get(f"{platform.service_url('registry')}/metrics").text
    assert _value(after, "lingtan_registry_retirements") == _value(before, "lingtan_registry_retirements") + 1
    assert _value(after, "lingtan_registry_retired_grams") == _value(before, "lingtan_registry_retired_grams") + 1234
    assert _value(after, "lingtan_registry_log_entries") > _value(before, "lingtan_registry_log_entries")
    assert 'lingtan_outbox_pending{receiver="disclosure",service="registry"}' in after
    assert "lingtan_http_requests_total" in after


def test_requests_are_counted_by_their_route_template_never_the_raw_path(platform):
    registry = platform.service_url("registry")
    for path in ("/v1/retirements/ret_0badc0ffee/proof", "/v1/projects/prj_0badc0ffee", "/v1/no-such-thing"):
        httpx.get(f"{registry}{path}")
    text = httpx.get(f"{registry}/metrics").text
    counted = set(re.findall(r'^lingtan_http_requests_total\{[^}]*route="([^"]*)"', text, re.MULTILINE))
    assert {"/v1/retirements/{record_id}/proof", "/v1/projects/{project_id}", "unmatched"} <= counted
    assert not any("0badc0ffee" in route or "no-such-thing" in route for route in counted)
