"""Which period of log data a request may receive (Act 703/2023 § 11 as applied in practice: log data is
normally given for the last two years; older data needs a special reason, e.g. suspected unauthorised
processing). Pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from rinnalla_security.errors import SecurityError, SpecialReasonRequired

STANDARD_PERIOD_YEARS = 2
MIN_REASON_LENGTH = 10


def years_before(moment: datetime, years: int) -> datetime:
    """The same calendar moment `years` earlier; 29 February falls back to 28 February."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def as_utc(moment: datetime) -> datetime:
    """Timestamps without a zone are read as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class PeriodOutOfRange(SecurityError):
    """`since` or `until` names a moment that has no UTC equivalent (year 1 at +14:00, say): 422 naming it."""

    status_code = 422
    code = "validation_failed"

    def __init__(self, name: str) -> None:
        reason = "is outside the dates that can be given in UTC (years 1 to 9999)"
        super().__init__(f"the request is invalid: query.{name}: {reason}")
        self.errors = [{"field": f"query.{name}", "reason": reason, "type": "datetime_out_of_range"}]


def _utc(moment: datetime, name: str) -> datetime:
    try:
        return as_utc(moment)
    except OverflowError:
        raise PeriodOutOfRange(name) from None


@dataclass(frozen=True)
class LogWindow:
    since: datetime
    until: datetime | None
    special_reason: str | None


def log_window(
    *, since: datetime | None, until: datetime | None, reason: str | None, now: datetime
) -> LogWindow:
    """The window to return; SpecialReasonRequired when it reaches back further than two years without a
    reason of at least ten characters."""
    standard_start = years_before(as_utc(now), STANDARD_PERIOD_YEARS)
    start = standard_start if since is None else _utc(since, "since")
    end = None if until is None else _utc(until, "until")
    if end is not None and end <= start:
        raise SecurityError("`until` must be later than `since`")
    cleaned = (reason or "").strip() or None
    if start < standard_start:
        if cleaned is None or len(cleaned) < MIN_REASON_LENGTH:
            raise SpecialReasonRequired(
                "log data older than two years is given only for a special reason (for example suspected "
                f"unauthorised processing): state it in the `reason` query parameter (at least "
                f"{MIN_REASON_LENGTH} characters)"
            )
        return LogWindow(start, end, cleaned)
    return LogWindow(start, end, None)
