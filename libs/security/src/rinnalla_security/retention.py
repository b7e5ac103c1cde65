"""Retention classes and the pure decision of what is due for erasure (GDPR storage limitation).

Each record type belongs to a retention class: a period that starts when something happens to the record
(the child leaves the programme, a nomination is declined, a financial year ends). Once the period has run,
the record is due for erasure unless a legal hold stops it. The scheduled job that erases is the services'.

The default periods are policy assumptions for the organisation's own (non-statutory) records, not law:
confirm them with the controller. Statutory social-welfare client documents are not copied into this
system precisely so that their lifelong retention does not apply here.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

_ISO_PERIOD = re.compile(r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?$")


@dataclass(frozen=True)
class Period:
    """A calendar period: years and months follow the calendar (31 Jan + 1 month = 28/29 Feb)."""

    years: int = 0
    months: int = 0
    days: int = 0

    def __post_init__(self) -> None:
        if min(self.years, self.months, self.days) < 0:
            raise ValueError("a retention period cannot be negative")

    @classmethod
    def parse(cls, text: str) -> Period:
        """ISO 8601 date durations: `P5Y`, `P6M`, `P1Y6M`, `P30D`, `P2W`."""
        match = _ISO_PERIOD.match(text.strip().upper())
        if not match or text.strip().upper() == "P":
            raise ValueError(f"{text!r} is not an ISO 8601 period such as P5Y, P6M or P30D")
        parts = {name: int(value) for name, value in match.groupdict().items() if value}
        return cls(
            years=parts.get("years", 0),
            months=parts.get("months", 0),
            days=parts.get("days", 0) + 7 * parts.get("weeks", 0),
        )

    def after(self, start: date) -> date:
        month_index = start.month - 1 + self.months + 12 * self.years
        year, month = start.year + month_index // 12, month_index % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return date(year, month, day) + timedelta(days=self.days)

    def __str__(self) -> str:
        parts = [(self.years, "year"), (self.months, "month"), (self.days, "day")]
        words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
        return " ".join(words) or "0 days"


@dataclass(frozen=True)
class RetentionClass:
    name: str
    period: Period
    clock_start: str
    """The event that starts the period, in words, e.g. "the child left the programme"."""
    basis: str


ACCOUNTING_RECORD = "accounting_record"
ACCOUNTING_LEDGER = "accounting_ledger"
FAMILY_SERVICES_RECORD = "family_services_record"
SOCIAL_WELFARE_RECORD = "social_welfare_record"

DEFAULT_RETENTION_CLASSES: Mapping[str, RetentionClass] = {
    cls.name: cls
    for cls in (
        RetentionClass(
            "programme_record", Period(years=5), "the child left the programme",
            "Organisation's own programme-delivery register; policy choice, confirm with the controller",
        ),
        RetentionClass(
            "declined_nomination", Period(months=6), "the nomination was declined or not answered",
            "Data minimisation: a child who did not join needs no record beyond handling the decision",
        ),
        RetentionClass(
            "consent_withdrawn_data", Period(days=30), "the consent covering the data was withdrawn",
            "Data processed only under a consent that was withdrawn; short period to complete the erasure",
        ),
        RetentionClass(
            ACCOUNTING_RECORD, Period(years=6), "the end of the calendar year in which the financial year ended",
            "Accounting vouchers and other accounting material (Finnish Accounting Act 1336/1997, ch. 2 § 10)",
        ),
        RetentionClass(
            ACCOUNTING_LEDGER, Period(years=10), "the end of the financial year",
            "Ledgers, the chart of accounts, financial statements and annual reports: at least 10 years from the "
            "end of the financial year (Finnish Accounting Act 1336/1997, ch. 2 § 10)",
        ),
        RetentionClass(
            FAMILY_SERVICES_RECORD, Period(years=30), "the client's case was closed (the child left the service)",
            "A wellbeing services county's client records of services for families with children, kept by the "
            "county as controller when the programme is its purchased service (Act 703/2023; the National "
            "Archives' retention table): 30 years from the closure of the case",
        ),
        RetentionClass(
            SOCIAL_WELFARE_RECORD, Period(years=10), "the client's case was closed (the child left the service)",
            "A wellbeing services county's client records of other social-welfare tasks, kept by the county as "
            "controller when the programme is its purchased service (Act 703/2023; the National Archives' "
            "retention table): 10 years from the closure of the case",
        ),
    )
}


class UnknownRetentionClass(KeyError):
    """A record names a class the policy does not define: refuse to guess in either direction."""


@dataclass(frozen=True)
class RetentionPolicy:
    classes: Mapping[str, RetentionClass]

    @classmethod
    def default(cls) -> RetentionPolicy:
        return cls(dict(DEFAULT_RETENTION_CLASSES))

    def with_periods(self, periods: Mapping[str, Period | str]) -> RetentionPolicy:
        """The policy with some periods changed (by configuration); unknown class names are an error."""
        classes = dict(self.classes)
        for name, period in periods.items():
            if name not in classes:
                raise UnknownRetentionClass(f"no retention class {name!r}; known: {', '.join(sorted(classes))}")
            value = Period.parse(period) if isinstance(period, str) else period
            classes[name] = replace(classes[name], period=value)
        return RetentionPolicy(classes)

    def get(self, name: str) -> RetentionClass:
        try:
            return self.classes[name]
        except KeyError:
            raise UnknownRetentionClass(
                f"no retention class {name!r}; known: {', '.join(sorted(self.classes))}"
            ) from None


class RetentionSettings(BaseSettings):
    """`RINNALLA_RETENTION_PERIODS='{"programme_record": "P10Y"}'` overrides default periods."""

    model_config = SettingsConfigDict(env_prefix="RINNALLA_RETENTION_", extra="ignore")

    periods: dict[str, str] = Field(default_factory=dict)

    def policy(self) -> RetentionPolicy:
        return RetentionPolicy.default().with_periods(self.periods)


@dataclass(frozen=True)
class RetainedRecord:
    """A record as the retention decision sees it. `clock_started_on` is None while the period has not
    started (e.g. the child is still in the programme)."""

    record_id: str
    retention_class: str
    clock_started_on: date | None
    legal_hold: bool = False


@dataclass(frozen=True)
class ErasureDue:
    record_id: str
    retention_class: str
    due_on: date
    reason: str


def accounting_clock_start(retention_class: str, financial_year_ends_on: date) -> date:
    """The day an accounting class's clock starts, for a financial year ending on `financial_year_ends_on`
    (which need not be 31 December): the ledgers' 10 years run from the end of the financial year, the
    vouchers' 6 years from the end of the calendar year in which the financial year ended."""
    if retention_class == ACCOUNTING_LEDGER:
        return financial_year_ends_on
    if retention_class == ACCOUNTING_RECORD:
        return date(financial_year_ends_on.year, 12, 31)
    raise UnknownRetentionClass(
        f"{retention_class!r} is not an accounting class ({ACCOUNTING_LEDGER}, {ACCOUNTING_RECORD})"
    )


def due_for_erasure(
    records: Iterable[RetainedRecord], *, today: date, policy: RetentionPolicy | None = None
) -> list[ErasureDue]:
    """The records whose retention period has run by `today`, each with the reason in words.

    Records on legal hold and records whose clock has not started are kept. A record naming an unknown
    class raises UnknownRetentionClass rather than being kept or erased silently.
    """
    rules = policy or RetentionPolicy.default()
    due: list[ErasureDue] = []
    for record in records:
        retention = rules.get(record.retention_class)
        if record.clock_started_on is None or record.legal_hold:
            continue
        due_on = retention.period.after(record.clock_started_on)
        if due_on <= today:
            due.append(
                ErasureDue(
                    record_id=record.record_id,
                    retention_class=retention.name,
                    due_on=due_on,
                    reason=(
                        f"{retention.name}: kept {retention.period} after {retention.clock_start} "
                        f"({record.clock_started_on.isoformat()}); the period ended on {due_on.isoformat()}"
                    ),
                )
            )
    return due
