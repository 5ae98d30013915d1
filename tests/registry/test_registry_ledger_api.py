"""The ledger through the gateway: accounts, issuance, transfers, retirements, donations, reads."""

from __future__ import annotations

from services.registry.credits.blocks import CreditBlock
from tests.registry.conftest import Operator, Registry
from tests.support.events import known_event


def held(registry: Registry, account: str) -> int:
    body = registry.get(f"accounts/{account}").json()
    return sum(h["quantity_g"] for h in body["holdings"])


def test_issuance_numbers_each_series_from_one_and_continues_it(operator: Operator, holder: Registry) -> None:
    account = holder.account()
    project = operator.project()
    first = operator.issue(project["id"], account, 2_000_000)
    second = operator.issue(project["id"], account, 500, vintage=2023)
    other_vintage = operator.issue(project["id"], account, 7, vintage=2022)
    assert (first["start"], first["end"]) == (1, 2_000_000)
    assert (second["start"], second["end"]) == (2_000_001, 2_000_500)
    assert (other_vintage["start"], other_vintage["end"]) == (1, 7)
    assert CreditBlock.parse(first["serial"]) == CreditBlock("HNCI", project["code"], 2023, 1, 2_000_000)
    assert second["log_index"] > first["log_index"]
    body = holder.get(f"accounts/{account}").json()
    assert {(h["vintage"], h["quantity_g"]) for h in body["holdings"]} == {(2023, 2_000_500), (2022, 7)}


def test_partial_transfer_splits_the_block_holder_keeps_the_head(operator: Operator, holder: Registry) -> None:
    source, target = holder.account(), holder.account(kind="event", name="marathon account")
    project = operator.project()
    operator.issue(project["id"], source, 10_000_000)
    moved = holder.created(
        "transfers", {"from_account": source, "to_account": target, "quantity": 3_000_000, "unit_type": "HNCI"}
    )
    assert [(r["start"], r["end"]) for r in moved["serial_ranges"]] == [(7_000_001, 10_000_000)]
    source_blocks = holder.get(f"accounts/{source}").json()["blocks"]
    target_blocks = holder.get(f"accounts/{target}").json()["blocks"]
    assert [(b["start"], b["end"]) for b in source_blocks] == [(1, 7_000_000)]
    assert [(b["start"], b["end"]) for b in target_blocks] == [(7_000_001, 10_000_000)]


def test_named_blocks_are_the_ones_that_move(operator: Operator, holder: Registry) -> None:
    source, target = holder.account(), holder.account()
    project = operator.project()
    old = operator.issue(project["id"], source, 1_000, vintage=2021)
    new = operator.issue(project["id"], source, 1_000, vintage=2024)
    body = {
        "from_account": source,
        "to_account": target,
        "quantity": 400,
        "unit_type": "HNCI",
        "blocks": [new["serial"]],
    }
    moved = holder.created("transfers", body)
    assert [r["vintage"] for r in moved["serial_ranges"]] == [2024]
    unnamed = holder.created("transfers", {**body, "blocks": None})
    assert [r["vintage"] for r in unnamed["serial_ranges"]] == [2021], "oldest vintage first unless named"
    assert held(holder, source) == 2_000 - 800
    assert old["serial"] != new["serial"]


def test_retirement_returns_ranges_and_log_index_and_retired_serials_never_move_again(
    platform, operator: Operator, holder: Registry, public
) -> None:
    expo, other_event = known_event(platform, holder.owner), known_event(platform, holder.owner)
    account, other = holder.account(), holder.account()
    project = operator.project()
    operator.issue(project["id"], account, 5_000_000)
    retired = holder.created(
        "retirements",
        {
            "event_id": expo,
            "from_account": account,
            "quantity": 1_500_000,
            "unit_type": "HNCI",
            "beneficiary": "China International Consumer Products Expo",
            "reason": "carbon neutrality of the expo",
        },
    )
    assert retired["kind"] == "retirement" and retired["quantity_g"] == 1_500_000
    assert [(r["start"], r["end"], r["project_id"]) for r in retired["serial_ranges"]] == [
        (3_500_001, 5_000_000, project["id"])
    ]
    entry = public.get(
        "/registry/v1/log/entries", params={"start": retired["log_index"], "end": retired["log_index"] + 1}
    ).json()["entries"][0]
    assert entry["entry"]["retirement_id"] == retired["id"]
    assert entry["entry"]["serials"] == [r["serial"] for r in retired["serial_ranges"]]
    again = {
        "from_account": account,
        "to_account": other,
        "quantity": 1,
        "unit_type": "HNCI",
        "blocks": [retired["serial_ranges"][0]["serial"]],
    }
    refused = holder.post("transfers", again)
    assert refused.status_code == 422 and "not held" in refused.json()["detail"]
    twice = holder.post(
        "retirements",
        {
            "event_id": other_event,
            "from_account": account,
            "quantity": 1,
            "unit_type": "HNCI",
            "beneficiary": "x",
            "reason": "y",
            "blocks": [retired["serial_ranges"][0]["serial"]],
        },
    )
    assert twice.status_code == 422
    assert held(holder, account) == 3_500_000
    assert public.get(f"/registry/v1/retirements/{retired['id']}").json()["serial_ranges"] == retired["serial_ranges"]


def test_another_owners_account_is_refused_whatever_the_scopes(platform, operator: Operator, holder: Registry) -> None:
    account = holder.account()
    project = operator.project()
    operator.issue(project["id"], account, 1_000)
    outsider = platform.register(
        "org:outsider", "registry:read registry:transfer registry:retire registry:admin registry:issue"
    )
    own_event, open_event = known_event(platform, outsider.owner), known_event(platform, holder.owner)
    with outsider.client() as http:
        stranger = Registry(http, outsider.owner)
        mine = stranger.account()
        for path, body in [
            ("transfers", {"from_account": account, "to_account": mine, "quantity": 10, "unit_type": "HNCI"}),
            (
                "retirements",
                {
                    "event_id": own_event,
                    "from_account": account,
                    "quantity": 10,
                    "unit_type": "HNCI",
                    "beneficiary": "x",
                    "reason": "y",
                },
            ),
            ("donations", {"event_id": open_event, "from_account": account, "quantity": 10}),
        ]:
            response = stranger.post(path, body)
            assert response.status_code == 403, (path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert account in response.json()["detail"]
        assert stranger.get(f"accounts/{account}").status_code == 200, "registry:admin reads any account"
    assert held(holder, account) == 1_000


def test_accounts_open_for_the_own_owner_and_read_only_own(platform, holder: Registry) -> None:
    refused = holder.post("accounts", {"owner": "org:someone-else", "kind": "organization", "name": "x"})
    assert refused.status_code == 403
    account = holder.account(kind="person", name="王小明")
    reader = platform.register("org:reader", "registry:read registry:retire")
    with reader.client() as http:
        assert http.get(f"/registry/v1/accounts/{account}").status_code == 403
    read_only = platform.register(holder.owner, "registry:read")
    with read_only.client() as http:
        opened = http.post("/registry/v1/accounts", json={"owner": holder.owner, "kind": "person", "name": "x"})
        assert opened.status_code == 403 and opened.json()["type"].endswith("insufficient-scope")
        assert http.get(f"/registry/v1/accounts/{account}").json()["kind"] == "person"


def test_donations_record_the_donor_kind_and_event_lists_everything_with_totals(
    platform, operator: Operator, public
) -> None:
    event = known_event(platform, "org:donations-organizer")
    person = platform.register("person:13800000000", "registry:read registry:retire")
    with person.client() as http:
        citizen = Registry(http, person.owner)
        wallet = citizen.account(kind="person", name="citizen wallet")
        project = operator.project()
        operator.issue(project["id"], wallet, 10_000)
        for grams in (350, 650, 1_000):
            gift = citizen.created("donations", {"event_id": event, "from_account": wallet, "quantity": grams})
            assert gift["kind"] == "donation" and gift["donor"] == "person" and gift["unit_type"] == "HNCI"
    pages, cursor = [], None
    while True:
        params = {"event_id": event, "limit": 2, **({"cursor": cursor} if cursor else {})}
        body = public.get("/registry/v1/retirements", params=params).json()
        pages.append(body["items"])
        assert body["totals"] == [{"unit_type": "HNCI", "quantity_g": 2_000, "records": 3}]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    items = [item for page in pages for item in page]
    assert [i["quantity_g"] for i in items] == [350, 650, 1_000]
    assert all(i["from_account"] is None for i in items), "public reads do not show the donor's account"
    assert len(pages) == 2


def test_a_donation_without_a_unit_type_takes_the_only_one_held_and_asks_when_there_are_two(
    platform, operator: Operator
) -> None:
    event = known_event(platform, "org:unit-types-organizer")
    person = platform.register("person:13900000000", "registry:read registry:retire")
    with person.client() as http:
        citizen = Registry(http, person.owner)
        wallet = citizen.account(kind="person", name="wallet")
        empty = citizen.post("donations", {"event_id": event, "from_account": wallet, "quantity": 350})
        assert empty.status_code == 409 and "holds none" in empty.json()["detail"]
        operator.issue(operator.project("SDCI", category="forestry")["id"], wallet, 1_000)
        gift = citizen.created("donations", {"event_id": event, "from_account": wallet, "quantity": 350})
        assert gift["unit_type"] == "SDCI"
        operator.issue(operator.project("HNCI")["id"], wallet, 2_000)
        unnamed = citizen.post("donations", {"event_id": event, "from_account": wallet, "quantity": 350})
        assert unnamed.status_code == 422 and "HNCI, SDCI" in unnamed.json()["detail"]
        named = {"event_id": event, "from_account": wallet, "quantity": 1_500, "unit_type": "HNCI"}
        assert citizen.created("donations", named)["unit_type"] == "HNCI"
        assert held(citizen, wallet) == 650 + 500
