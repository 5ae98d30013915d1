"""Calendar arithmetic for policy deadlines."""

from __future__ import annotations

import calendar
from datetime import date


def add_months(start: date, months: int) -> date:
    """The same day `months` calendar months later, clamped to the last day of a shorter month."""
    # 2024-03-15 + 6 is 2024-09-15; 2024-08-31 + 6 is 2025-02-28; 2023-08-31 + 6 is 2024-02-29.
    # Deadlines computed this way are inclusive: work done on that day is on time.
    if months < 0:
        raise ValueError("months must not be negative")
    month_index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)
