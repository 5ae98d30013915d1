"""Certificates built from the Hainan exhibition scenario, and a certification service of its own per test."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from sqlalchemy import text

from services.certification.certificates.credential import (
    CertifiedEvent,
    ExternalCancellation,
    Issuer,
    RegistryRetirement,
    StatusEntry,
    build_credential,
)
from shared.db.engine import Database, connect
from shared.db.migrations import upgrade
from tests.certification.certification_fakes import Upstream
from tests.certification.certification_local import LocalCertification

STATUS_LIST_URL = "https://lingtan.example.cn/certification/v1/status-lists/3"
VERIFICATION_URL = "https://lingtan.example.cn/disclosure/certificates/7d1e4a52-3c1b-4c63-9a35-0d6b1f2e9a11"


@pytest.fixture
def verification_url() -> str:
    """The public page a certificate's QR code opens."""
    return VERIFICATION_URL


@pytest.fixture
def hainan_expo() -> CertifiedEvent:
    """A four-day Haikou exhibition: 1,448.5005 t accounted."""
    return CertifiedEvent(
        event_id="evt-2024-0042",
        name="第四届中国国际消费品博览会 China International Consumer Products Expo",
        organizers=("海南省商务厅", "Hainan Provincial Department of Commerce"),
        starts_on=date(2024, 4, 13),
        ends_on=date(2024, 4, 16),
        jurisdiction="CN-HI",
        accounted_emissions_kg=Decimal("1448500.5"),
    )


@pytest.fixture
def credential(hainan_expo: CertifiedEvent) -> dict[str, Any]:
    """Mangrove blue-carbon credits and citizens' donations on the registry, the rest CCER cancelled outside."""
    return build_credential(
        certificate_id="urn:uuid:7d1e4a52-3c1b-4c63-9a35-0d6b1f2e9a11",
        issuer=Issuer("https://lingtan.example.cn/certification", "海南省生态文明试验区领导小组办公室"),
        valid_from=datetime(2024, 11, 5, 2, 30, 15, tzinfo=UTC),
        event=hainan_expo,
        retirements=[
            RegistryRetirement("ret-77", "HI-CI", "HI-CI-2024-P-000101", "HI-CI-2024-P-000350", 250_000, 42),
            RegistryRetirement("ret-12", "HI-CI", "HI-CI-2023-000001", "HI-CI-2023-000220", 220_000_000, 17),
        ],
        cancellations=[
            ExternalCancellation("CCER", "CCER-46-2024-000001", "CCER-46-2024-001228", 1_228_250_500, "NCCR-2024-0031"),
        ],
        confirmation_method="self_commitment",
        profile_id="hainan-2023.1",
        status=StatusEntry(STATUS_LIST_URL, 94567),
    )


@pytest.fixture(scope="session")
def cert_portal() -> Iterator[BlockingPortal]:
    """An event loop thread that drives the in-process app for synchronous tests."""
    with start_blocking_portal() as portal:
        yield portal


@pytest.fixture
def certification_database(tmp_path: Path, schema_prefix: str) -> Iterator[Database]:
    """A migrated certification database of the backend under test, for one test."""
    url = os.environ.get("LINGTAN_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'certification.db'}"
    schema = f"{schema_prefix}cert{secrets.token_hex(3)}"
    database = connect(url, schema=schema)
    upgrade("certification", database)
    yield database
    if database.schema is not None:
        # Dropped now rather than with the run's other schemas, so no one transaction drops hundreds.
        with database.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    database.dispose()


@pytest.fixture
def upstream() -> Upstream:
    """Fresh fakes of accounting and the registry."""
    return Upstream()


@pytest.fixture
def service(
    cert_portal: BlockingPortal, certification_database: Database, upstream: Upstream
) -> Iterator[LocalCertification]:
    """The certification service in process, its calls to other services answered by the fakes."""
    local = LocalCertification.start(cert_portal, certification_database, upstream)
    yield local
    local.close()
