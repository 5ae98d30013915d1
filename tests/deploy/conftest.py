"""The `runner` fixture: `lingtan serve --processes`, one instance per test module that asks for it."""

from __future__ import annotations

import pytest

from tests.deploy.processes_support import running


@pytest.fixture(scope="module")
def runner(tmp_path_factory, schema_prefix):
    with running(tmp_path_factory.mktemp("processes"), schema_prefix) as started:
        yield started
