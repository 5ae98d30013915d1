"""Open data carries the same records and numbers as the API."""

from __future__ import annotations

import csv
import io

from tests.disclosure.disclosure_samples import (
    cancellation,
    certificate,
    donation,
    hainan_event,
    note,
    retirement,
    revoked,
    shandong_forum,
    unique,
)


def _seed(disclosure):
    hainan, shandong, cert_id = unique("evt"), unique("evt"), unique("cert")
    issued = certificate(cert_id, hainan)
    disclosure.deliver(
        note("event.updated", hainan_event(hainan, name='=HYPERLINK("http://evil") expo'), seq=1),
        note("event.updated", shandong_forum(shandong), seq=2),
        note("retirement.recorded", retirement(unique("ret"), hainan, 220_000_000), seq=3),
        note("retirement.recorded", donation(unique("don"), hainan, 1_500), seq=4),
        note("cancellation.recorded", cancellation(unique("xc"), hainan, 1_228_500_500_000), seq=5),
        note("certificate.updated", issued, seq=6),
        note("certificate.updated", revoked(issued), seq=7),
    )
    return hainan, shandong, cert_id


def _csv(disclosure, name):
    response = disclosure.get(f"/v1/open-data/{name}.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.text)))


def _json(disclosure, name):
    response = disclosure.get(f"/v1/open-data/{name}.json")
    assert response.status_code == 200
    body = response.json()
    assert body["dataset"] == name
    return body["items"]


def test_event_exports_match_the_api(disclosure):
    hainan, shandong, cert_id = _seed(disclosure)
    api = {e: disclosure.get(f"/v1/events/{e}").json() for e in (hainan, shandong)}
    assert {item["id"]: item for item in _json(disclosure, "events")} == api
    rows = {row["id"]: row for row in _csv(disclosure, "events")}
    for event_id, detail in api.items():
        row = rows[event_id]
        assert int(row["offsets_total_g"]) == detail["offsets"]["total_g"]
        assert row["offsets_total_tonnes"] == detail["offsets"]["total_tonnes"]
        assert row["accounted_total_kgco2e"] == detail["accounted_emissions"]["total_kgco2e"]
        assert row["status"] == detail["status"]
    assert (rows[hainan]["certificate_id"], rows[hainan]["certificate_status"]) == (cert_id, "revoked")
    assert rows[shandong]["certificate_id"] == ""


def test_retirement_exports_match_the_api_including_external_cancellations(disclosure):
    _seed(disclosure)
    api = disclosure.get("/v1/retirements", params={"limit": 200}).json()["items"]
    assert _json(disclosure, "retirements") == api
    rows = _csv(disclosure, "retirements")
    assert [(r["id"], int(r["quantity_g"]), r["tonnes"], r["kind"]) for r in rows] == [
        (i["id"], i["quantity_g"], i["tonnes"], i["kind"]) for i in api
    ]
    external = next(r for r in rows if r["kind"] == "external_cancellation")
    assert (external["registry"], external["serial_from"], external["log_index"]) == (
        "CCER",
        "CCER-46-2022-000001",
        "43",
    )
    assert sum(int(r["quantity_g"]) for r in rows) == disclosure.get("/v1/stats").json()["retired_total_g"]


def test_certificate_exports_match_the_api(disclosure):
    _, _, cert_id = _seed(disclosure)
    api = disclosure.get(f"/v1/certificates/{cert_id}").json()
    assert [i for i in _json(disclosure, "certificates") if i["id"] == cert_id] == [api]
    (row,) = [r for r in _csv(disclosure, "certificates") if r["id"] == cert_id]
    assert (row["status"], row["revocation_reason"]) == ("revoked", api["revocation_reason"])
    assert int(row["offsets_total_g"]) == sum(o["quantity_g"] for o in api["offsets"])


def test_a_spreadsheet_never_runs_a_cell_as_a_formula(disclosure):
    _seed(disclosure)
    names = [row["name"] for row in _csv(disclosure, "events")]
    assert '\'=HYPERLINK("http://evil") expo' in names


def test_an_empty_dataset_still_has_its_header_and_exports_are_cacheable(disclosure):
    response = disclosure.get("/v1/open-data/certificates.csv")
    assert response.text.startswith("id,event_id,jurisdiction,status")
    assert disclosure.get("/v1/open-data/certificates.json").json() == {"dataset": "certificates", "items": []}
    etag = response.headers["etag"]
    assert disclosure.get("/v1/open-data/certificates.csv", headers={"If-None-Match": etag}).status_code == 304
    disclosure.deliver(note("certificate.updated", certificate(unique("cert"), unique("evt")), seq=1))
    assert disclosure.get("/v1/open-data/certificates.csv", headers={"If-None-Match": etag}).status_code == 200


def test_unknown_datasets_formats_and_parameters_are_refused(disclosure):
    assert disclosure.get("/v1/open-data/accounts.csv").status_code == 422
    assert disclosure.get("/v1/open-data/events.xlsx").status_code == 422
    assert disclosure.get("/v1/open-data/events.csv", params={"since": "2026"}).status_code == 400
