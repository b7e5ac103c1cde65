"""What is due for erasure, and why."""

from datetime import date

import pytest
from rinnalla_security import (
    ACCOUNTING_LEDGER,
    ACCOUNTING_RECORD,
    Period,
    RetainedRecord,
    RetentionPolicy,
    RetentionSettings,
    UnknownRetentionClass,
    accounting_clock_start,
    due_for_erasure,
)


def test_a_programme_record_is_due_five_years_after_the_child_left() -> None:
    left = RetainedRecord("rec-1", "programme_record", clock_started_on=date(2019, 6, 1))

    assert due_for_erasure([left], today=date(2024, 5, 31)) == []
    [due] = due_for_erasure([left], today=date(2024, 6, 1))
    assert due.record_id == "rec-1"
    assert due.due_on == date(2024, 6, 1)
    assert due.reason == (
        "programme_record: kept 5 years after the child left the programme (2019-06-01); "
        "the period ended on 2024-06-01"
    )


def test_a_declined_nomination_goes_after_six_months() -> None:
    declined = RetainedRecord("nom-7", "declined_nomination", clock_started_on=date(2024, 8, 31))

    [due] = due_for_erasure([declined], today=date(2025, 3, 1))
    assert due.due_on == date(2025, 2, 28)  # 31 August + 6 months, clamped to the end of February


def test_a_child_still_in_the_programme_is_kept() -> None:
    active = RetainedRecord("rec-2", "programme_record", clock_started_on=None)

    assert due_for_erasure([active], today=date(2099, 1, 1)) == []


def test_a_legal_hold_stops_erasure() -> None:
    held = RetainedRecord("rec-3", "declined_nomination", clock_started_on=date(2020, 1, 1), legal_hold=True)

    assert due_for_erasure([held], today=date(2025, 1, 1)) == []


def test_only_due_records_are_returned_in_input_order() -> None:
    records = [
        RetainedRecord("a", "declined_nomination", date(2024, 1, 1)),
        RetainedRecord("b", "programme_record", date(2024, 1, 1)),
        RetainedRecord("c", "consent_withdrawn_data", date(2024, 12, 1)),
    ]

    assert [d.record_id for d in due_for_erasure(records, today=date(2025, 1, 1))] == ["a", "c"]


def test_periods_are_configurable() -> None:
    policy = RetentionPolicy.default().with_periods({"programme_record": "P10Y"})
    record = RetainedRecord("rec", "programme_record", date(2019, 6, 1))

    assert due_for_erasure([record], today=date(2025, 1, 1), policy=policy) == []
    assert due_for_erasure([record], today=date(2029, 6, 1), policy=policy) != []


def test_periods_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RINNALLA_RETENTION_PERIODS", '{"declined_nomination": "P3M"}')

    policy = RetentionSettings().policy()

    assert policy.get("declined_nomination").period == Period(months=3)


def test_an_unknown_retention_class_is_an_error_not_a_guess() -> None:
    with pytest.raises(UnknownRetentionClass, match="no retention class 'mystery'"):
        due_for_erasure([RetainedRecord("x", "mystery", date(2000, 1, 1))], today=date(2025, 1, 1))
    with pytest.raises(UnknownRetentionClass):
        RetentionPolicy.default().with_periods({"mystery": "P1Y"})


@pytest.mark.parametrize(
    ("text", "period"),
    [("P5Y", Period(years=5)), ("P1Y6M", Period(years=1, months=6)), ("P30D", Period(days=30)),
     ("P2W", Period(days=14)), ("p6m", Period(months=6))],
)
def test_iso_periods_parse(text: str, period: Period) -> None:
    assert Period.parse(text) == period


@pytest.mark.parametrize("text", ["P", "5Y", "P-1Y", "PT5H", "P1.5Y", ""])
def test_malformed_periods_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        Period.parse(text)


def test_a_leap_day_start_moves_to_the_end_of_february() -> None:
    assert Period(years=1).after(date(2024, 2, 29)) == date(2025, 2, 28)


def test_ledgers_and_financial_statements_are_kept_ten_years_from_the_end_of_the_financial_year() -> None:
    # A financial year ending on 30 June: the ledger's clock starts that day, the vouchers' at the year's end.
    ledger_start = accounting_clock_start(ACCOUNTING_LEDGER, date(2026, 6, 30))
    voucher_start = accounting_clock_start(ACCOUNTING_RECORD, date(2026, 6, 30))
    ledger = RetainedRecord("ledger-2026", ACCOUNTING_LEDGER, clock_started_on=ledger_start)
    vouchers = RetainedRecord("vouchers-2026", ACCOUNTING_RECORD, clock_started_on=voucher_start)

    assert due_for_erasure([ledger, vouchers], today=date(2032, 12, 30)) == []
    assert [d.record_id for d in due_for_erasure([ledger, vouchers], today=date(2032, 12, 31))] == ["vouchers-2026"]
    assert [d.record_id for d in due_for_erasure([ledger], today=date(2036, 6, 29))] == []
    [due] = due_for_erasure([ledger], today=date(2036, 6, 30))
    assert due.reason.startswith("accounting_ledger: kept 10 years after the end of the financial year (2026-06-30)")
    assert "1336/1997" in RetentionPolicy.default().get(ACCOUNTING_LEDGER).basis


def test_only_accounting_classes_have_an_accounting_clock() -> None:
    with pytest.raises(UnknownRetentionClass):
        accounting_clock_start("programme_record", date(2026, 12, 31))


def test_a_county_purchased_service_keeps_its_statutory_period() -> None:
    closed = RetainedRecord("child-1", "family_services_record", clock_started_on=date(2026, 2, 1))

    assert due_for_erasure([closed], today=date(2056, 1, 31)) == []
    assert [d.due_on for d in due_for_erasure([closed], today=date(2056, 2, 1))] == [date(2056, 2, 1)]
