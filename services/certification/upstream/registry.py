"""Reading the registry over REST: an event's retirements and external cancellations, proofs, the log key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from services.certification.upstream.facts import (
    ClaimDecisionFacts,
    RecordedCancellation,
    RecordedRetirement,
    SerialRange,
)
from services.certification.upstream.reading import Reader, json_answer
from shared.problems import NotFound
from shared.service_client import ServiceClient

SOURCE = "registry"
PAGE_SIZE = 200
# An event with more records than this is refused rather than read without end.
MAX_PAGES = 500


@dataclass(frozen=True)
class EventRecords:
    """Everything the registry lists for one event."""

    retirements: tuple[RecordedRetirement, ...]
    cancellations: tuple[RecordedCancellation, ...]


def _serial_range(item: Reader) -> SerialRange:
    return SerialRange(
        serial=item.text("serial"),
        start=item.integer("start"),
        end=item.integer("end"),
        quantity_g=item.integer("quantity_g"),
        project_id=item.text("project_id"),
        province=item.text("province"),
        category=item.text("category"),
        vintage=item.integer("vintage"),
    )


def parse_retirement(item: Reader) -> RecordedRetirement:
    """A retirement or donation as the registry lists it."""
    return RecordedRetirement(
        id=item.text("id"),
        kind=item.text("kind"),
        event_id=item.text("event_id"),
        unit_type=item.text("unit_type"),
        quantity_g=item.integer("quantity_g"),
        donor=item.optional_text("donor"),
        serial_ranges=tuple(_serial_range(r) for r in item.children("serial_ranges")),
        log_index=item.integer("log_index"),
        retired_at=item.moment("retired_at"),
    )


def parse_cancellation(item: Reader) -> RecordedCancellation:
    """An external cancellation as the registry lists it."""
    return RecordedCancellation(
        id=item.text("id"),
        event_id=item.text("event_id"),
        registry=item.text("registry"),
        serial_from=item.text("serial_from"),
        serial_to=item.text("serial_to"),
        quantity_g=item.integer("quantity_g"),
        cancellation_ref=item.text("cancellation_ref"),
        project_id=item.text("project_id"),
        project_province=item.text("project_province"),
        vintage=item.integer("vintage"),
        log_index=item.integer("log_index"),
        recorded_at=item.moment("recorded_at"),
        status=item.text("status"),
        cancelled_on=item.day("cancelled_on") if item.optional_text("cancelled_on") is not None else None,
        decision=_decision(item.optional_child("decision")),
    )


def _decision(item: Reader | None) -> ClaimDecisionFacts | None:
    if item is None:
        return None
    return ClaimDecisionFacts(id=item.text("id"), outcome=item.text("outcome"), log_index=item.integer("log_index"))


class RegistryReader:
    """The registry's public reads, called with the certification service's own token."""

    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    def _get(self, path: str, what: str, params: dict[str, Any] | None = None) -> Any:
        return json_answer(SOURCE, self.client.request("GET", SOURCE, path, params=params), what)

    def event_records(self, event_id: str) -> EventRecords:
        """Every retirement, donation and external cancellation the registry lists for the event."""
        retirements: list[RecordedRetirement] = []
        cancellations: list[RecordedCancellation] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            params: dict[str, Any] = {"event_id": event_id, "limit": PAGE_SIZE}
            if cursor is not None:
                params["cursor"] = cursor
            page = Reader(SOURCE, self._get("/v1/retirements", f"the retirements of event {event_id}", params))
            for item in page.children("items"):
                if item.text("kind") == "external_cancellation":
                    cancellations.append(parse_cancellation(item))
                else:
                    retirements.append(parse_retirement(item))
            cursor = page.optional_text("next_cursor")
            if cursor is None:
                return EventRecords(tuple(retirements), tuple(cancellations))
        limit = MAX_PAGES * PAGE_SIZE
        raise NotFound(f"Event {event_id} has more than {limit} registry records; that is not supported.")

    def proof(self, record_id: str) -> Any:
        """The record's proof bundle: entry, leaf index, inclusion proof, signed checkpoint; None if it has none."""
        response = self.client.request("GET", SOURCE, f"/v1/retirements/{quote(record_id, safe='')}/proof")
        if response.status_code == 404:
            return None
        return json_answer(SOURCE, response, f"the proof of {record_id}")

    def public_key(self) -> str:
        """The log's verifier key as the registry publishes it."""
        return Reader(SOURCE, self._get("/v1/log/public-key", "the log's public key")).text("vkey")

    def checkpoint(self) -> str:
        """The latest signed checkpoint note."""
        return Reader(SOURCE, self._get("/v1/log/checkpoint", "the latest checkpoint")).text("checkpoint")
