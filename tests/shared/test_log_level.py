"""LINGTAN_LOG_LEVEL decides what a served process logs; a level that does not exist is refused."""

from __future__ import annotations

import logging

import pytest
from pydantic import ValidationError

from lingtan import serve
from shared.settings import PlatformSettings


class _Built(Exception):
    """Raised in place of building the service: logging is configured by then."""


@pytest.fixture
def root_logger():
    root = logging.getLogger()
    level, handlers = root.level, root.handlers[:]
    yield root
    root.setLevel(level)
    root.handlers[:] = handlers


def _no_build(*_args: object, **_kwargs: object) -> None:
    raise _Built


def test_a_served_service_logs_at_the_configured_level(monkeypatch, root_logger):
    monkeypatch.setenv("LINGTAN_LOG_LEVEL", "warning")
    monkeypatch.setattr(serve, "build", _no_build)
    with pytest.raises(_Built):
        serve.serve_one("registry", "127.0.0.1", 0)
    assert root_logger.level == logging.WARNING
    assert not logging.getLogger("lingtan.registry.access").isEnabledFor(logging.INFO)


def test_the_whole_platform_logs_at_the_configured_level(monkeypatch, root_logger):
    monkeypatch.setenv("LINGTAN_LOG_LEVEL", "ERROR")
    monkeypatch.setattr(serve, "build_platform", _no_build)
    with pytest.raises(_Built):
        serve.serve_platform("127.0.0.1", 0)
    assert root_logger.level == logging.ERROR


def test_an_unknown_level_is_refused():
    with pytest.raises(ValidationError, match="log_level"):
        PlatformSettings(log_level="LOUD")
