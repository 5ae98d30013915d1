"""Green electricity counted once across the platform: a certificate zeroes one event's electricity only."""

from __future__ import annotations

import secrets
import threading
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.accounting.errors import InvalidActivityLine
from services.accounting.factors.library import default_library
from services.accounting.greenpower.models import GreenCertificateClaim
from services.accounting.greenpower.service import claim_key
from services.accounting.inventory.calculation import calculate_inventory
from services.accounting.inventory.lines import ActivityLine
from services.accounting.inventory.references import certificate_key
from services.accounting.inventory.vocabulary import Category
from tests.accounting.conftest import Organizer, in_days, line
from tests.accounting.test_accounting_notifications import notifications
from tests.support.running import RunningPlatform

RACES = 4


def certificate() -> str:
    """A certificate reference of this test's own."""
    return f"GEC-2026-HI-{secrets.token_hex(4).upper()}"


def green(*certificates: str, mwh: str = "100") -> dict[str, Any]:
    """An inventory whose purchased electricity is green, proved by `certificates`."""
    power = line("purchased_electricity", mwh, "MWh", "grid.cn.hainan.2022", green=True)
    meals = line("catering", "100", "meal", "catering.meal.proxy")
    return {"lines": [{**power, "green_certificates": list(certificates)}, meals], "actual_participants": 2800}


def held(organizer: Organizer) -> str:
    """An event held last week."""
    return str(organizer.create_event(starts_at=in_days(-9), ends_at=in_days(-7))["id"])


def claims(platform: RunningPlatform, reference: str) -> list[tuple[str, bool]]:
    """Who holds the certificate: (event, held by a submitted version) for each claim row."""
    with platform.database("accounting").reads() as session:
        rows = session.execute(
            select(GreenCertificateClaim.event_id, GreenCertificateClaim.submitted).where(
                GreenCertificateClaim.key == claim_key(reference)
            )
        ).all()
    return [(row.event_id, row.submitted) for row in rows]


def taken(response: httpx.Response, holder: str, reference: str) -> None:
    """Insist on the 409 naming the event that holds the certificate."""
    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["type"].endswith("/green-certificate-claimed")
    assert problem["held_by"] == holder
    assert problem["certificate"] == reference
    assert holder in problem["detail"]
    assert reference in problem["detail"]


def test_a_certificate_reused_by_another_event_is_refused_naming_the_holder(
    platform: RunningPlatform, organizer: Organizer, rival: Organizer
) -> None:
    reference = certificate()
    first = held(organizer)
    written = organizer.put(f"events/{first}/inventory", green(reference))
    assert written.status_code == 200, written.text
    # 100 MWh green counts as zero on the market basis: only the meals (800 kg) remain.
    assert Decimal(written.json()["total_kgco2e"]) == Decimal("800")

    second = held(rival)
    before = (rival.event(second), notifications(platform, second))
    for typed in (reference, reference.lower(), f"  {reference} ", reference.replace("-", "－")):
        taken(rival.put(f"events/{second}/inventory", green(typed)), first, typed.strip())
    assert (rival.event(second), notifications(platform, second)) == before
    assert rival.get(f"events/{second}/inventory").status_code == 404
    # The owner's own event may name it again as often as it likes.
    assert organizer.put(f"events/{first}/inventory", green(reference, mwh="90")).status_code == 200
    assert claims(platform, reference) == [(first, False)]


def test_a_draft_releases_what_it_no_longer_names_and_a_submission_holds_for_good(
    platform: RunningPlatform, organizer: Organizer, rival: Organizer
) -> None:
    dropped, kept = certificate(), certificate()
    first, second = held(organizer), held(rival)
    assert organizer.put(f"events/{first}/inventory", green(dropped, kept)).status_code == 200
    assert organizer.put(f"events/{first}/inventory", green(kept)).status_code == 200
    # Released by the draft: now another event may claim it.
    assert rival.put(f"events/{second}/inventory", green(dropped)).status_code == 200
    assert claims(platform, dropped) == [(second, False)]

    assert organizer.post(f"events/{first}/inventory/submit").status_code == 200
    assert claims(platform, kept) == [(first, True)]
    # An amendment that no longer names it leaves it with the submitted version that does.
    amended = organizer.post(
        f"events/{first}/inventory/amendments",
        {"lines": [line("catering", "100", "meal", "catering.meal.proxy")], "actual_participants": 2800},
    )
    assert amended.status_code == 201, amended.text
    assert organizer.post(f"events/{first}/inventory/submit").status_code == 200
    taken(rival.put(f"events/{second}/inventory", green(dropped, kept)), first, kept)
    assert claims(platform, kept) == [(first, True)]
    # An amendment naming a certificate another event holds is refused as well.
    taken(organizer.post(f"events/{first}/inventory/amendments", green(dropped)), second, dropped)


def test_two_events_racing_for_one_certificate_one_wins(platform: RunningPlatform, organizer: Organizer) -> None:
    headers = {"Authorization": organizer.http.headers["Authorization"]}
    for _ in range(RACES):
        reference = certificate()
        events = [held(organizer), held(organizer)]
        start = threading.Barrier(len(events))
        answers: dict[str, httpx.Response] = {}

        def put(event_id: str, reference: str = reference, start: threading.Barrier = start) -> None:
            with httpx.Client(base_url=platform.url, headers=headers, timeout=60) as client:
                start.wait()
                answers[event_id] = client.put(f"/accounting/v1/events/{event_id}/inventory", json=green(reference))

        threads = [threading.Thread(target=put, args=(event_id,)) for event_id in events]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        statuses = sorted(answer.status_code for answer in answers.values())
        assert statuses == [200, 409], {e: a.text for e, a in answers.items()}
        winner = next(e for e, a in answers.items() if a.status_code == 200)
        loser = next(e for e in events if e != winner)
        taken(answers[loser], winner, reference)
        assert claims(platform, reference) == [(winner, False)]
        assert organizer.get(f"events/{loser}/inventory").status_code == 404
        assert organizer.event(loser)["actual_participants"] is None


@pytest.mark.parametrize(
    "typed",
    [
        "GEC-2026-000123",
        "gec-2026-000123",
        " GEC-2026-000123\t",
        "GEC - 2026 - 000123",
        "ＧＥＣ－２０２６－０００１２３",
    ],
)
def test_a_reference_is_the_same_certificate_however_it_is_typed(typed: str) -> None:
    assert certificate_key(typed) == "gec-2026-000123"


def test_one_inventory_cannot_claim_a_certificate_twice_in_another_case() -> None:
    def power(reference: str) -> ActivityLine:
        return ActivityLine(
            category=Category.PURCHASED_ELECTRICITY,
            quantity=Decimal("10"),
            unit="MWh",
            factor_id="grid.cn.hainan.2022",
            green=True,
            green_certificates=(reference,),
        )

    with pytest.raises(InvalidActivityLine, match="gec-7 is claimed on line 0 and again on line 1"):
        calculate_inventory([power("GEC-7"), power("gec-7")], default_library())
