"""Inventory responses byte for byte: what integrators read does not change when the writing does.

The digests below are of responses written before inventories were calculated and written in one
pass; a change to how the lines are calculated, written or stored must give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from typing import Any

from services.accounting.factors.library import default_library
from services.accounting.inventory.units import ALIASES, UNITS
from tests.accounting.conftest import Organizer, in_days

QUANTITIES = ["1", "1.50", "1E+3", "0", "0.000001", "123456789.123456789012", "42.4200", "00012.30", "7", "3.6"]
LABELS = ["", 'Hall "A" \\ north', "第一行\n第二行\t制表", "control \u0001", "emoji 🌍 é", "</script>"]
WRITTEN = "6dcae7015af886c0186e855582741d481e49297ab9ae34fba71c99639c3e7b26"
REFUSED = "a14b2144dcf07de4917590d1dd4ca06cbd95da7e0e070ca23ce34d3dae55b5ff"


# A certificate counts for one event only, platform-wide: each run's certificates carry this mark, which
# `normalised` takes out again so that the bytes compared are those of the certificates as first written.
RUN = f"~run-{secrets.token_hex(6)}"


def inventory_lines() -> list[dict[str, Any]]:
    """Every library factor in every source type it serves, in every unit it converts, and lines of each other kind."""
    lines: list[dict[str, Any]] = []
    for factor in default_library().list():
        activity = factor.factor_unit.activity
        units = [
            name for name in [*UNITS, *ALIASES] if UNITS[ALIASES.get(name, name)].dimension == UNITS[activity].dimension
        ]
        for category in (factor.category, *factor.also_for):
            for unit in units:
                n = len(lines)
                # Quantities in MJ, GJ or TJ convert exactly to kWh only in multiples of 3.6.
                quantity = "3.6" if unit in ("MJ", "GJ", "TJ") and activity != "GJ" else QUANTITIES[n % len(QUANTITIES)]
                lines.append(
                    {
                        "category": category.value,
                        "quantity": quantity,
                        "unit": unit,
                        "factor_id": factor.id,
                        "evidence_sha256": None if n % 3 else f"{n:064x}",
                        "data_quality": ["measured", "calculated", "estimated"][n % 3],
                        "phase": ["preparation", "holding", "wrap_up"][n % 3],
                        "label": LABELS[n % len(LABELS)],
                    }
                )
    lines.append(
        {
            "category": "materials",
            "quantity": "2",
            "unit": "t",
            "custom_factor": {"value": "950", "unit": "kgCO2e/t", "source": 'Supplier "EPD"\n2025 \\ 供应商'},
            "data_quality": "measured",
            "phase": "holding",
        }
    )
    lines.append(
        {
            "category": "purchased_electricity",
            "quantity": "5",
            "unit": "MWh",
            "factor_id": "grid.cn.hainan.2022",
            "green": True,
            "green_certificates": [f'GEC "7"{RUN}', f" 绿证\\8{RUN} "],
            "data_quality": "measured",
            "phase": "holding",
        }
    )
    lines.append({"category": "catering", "quantity": 12, "unit": "meals", "factor_id": "catering.meal.proxy"})
    lines[-1].update(data_quality="estimated", phase="wrap_up")
    return lines


REFUSALS: list[Any] = [
    {"lines": [], "actual_participants": 1},
    {"lines": [{"category": "catering", "quantity": 1.5, "unit": "meal"}], "actual_participants": 1},
    {"lines": [{"category": "catering", "quantity": "-1", "unit": "", "extra": 1}], "actual_participants": "1"},
    {"lines": [{"category": "catering", "quantity": "1", "unit": "plates", "factor_id": "catering.meal.proxy",
                "data_quality": "measured", "phase": "holding"}], "actual_participants": 1},
    {"lines": [{"category": "purchased_electricity", "quantity": "1", "unit": "kWh", "factor_id": "grid.cn.hainan.2022",
                "green": True, "data_quality": "measured", "phase": "holding"}], "actual_participants": 1},
    {"lines": [{"category": "fixed_combustion", "quantity": "1", "unit": "MJ", "factor_id": "grid.cn.hainan.2022",
                "data_quality": "measured", "phase": "holding"}], "actual_participants": 1},
]  # fmt: skip


def held_event(organizer: Organizer) -> str:
    return str(organizer.create_event(starts_at=in_days(-5), ends_at=in_days(-2))["id"])


def normalised(content: bytes, event_id: str) -> bytes:
    """The response without what differs from run to run: the event's id and the versions' times."""
    content = content.replace(event_id.encode(), b"EVENT").replace(RUN.encode(), b"")
    return re.sub(rb'"(created_at|updated_at|submitted_at)":"[^"]*"', rb'"\1":"TIME"', content)


def test_a_written_inventory_reads_as_it_did_byte_for_byte(organizer: Organizer) -> None:
    event_id = held_event(organizer)
    written = organizer.put(f"events/{event_id}/inventory", {"lines": inventory_lines(), "actual_participants": 1200})
    assert written.status_code == 200, written.text
    read = organizer.get(f"events/{event_id}/inventory")
    assert read.content == written.content
    assert hashlib.sha256(normalised(written.content, event_id)).hexdigest() == WRITTEN


def test_refused_inventories_are_refused_as_they_were(organizer: Organizer) -> None:
    event_id = held_event(organizer)
    digest = hashlib.sha256()
    for body in REFUSALS:
        refused = organizer.http.put(
            organizer.url(f"events/{event_id}/inventory"),
            content=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        assert refused.status_code == 422, refused.text
        digest.update(normalised(refused.content, event_id))
    assert digest.hexdigest() == REFUSED
