"""Month arithmetic of policy deadlines: same day N months later, clamped to the month's end."""

from __future__ import annotations

from datetime import date

import pytest

from services.accounting.policies.deadlines import add_months


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 3, 15), 6, date(2024, 9, 15)),
        (date(2024, 8, 31), 6, date(2025, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2024, 12, 31), 6, date(2025, 6, 30)),
        (date(2024, 7, 31), 12, date(2025, 7, 31)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 1, 31), 24, date(2026, 1, 31)),
        (date(2024, 5, 19), 0, date(2024, 5, 19)),
    ],
)
def test_adds_calendar_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_refuses_negative_months() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_months(date(2024, 1, 1), -1)
