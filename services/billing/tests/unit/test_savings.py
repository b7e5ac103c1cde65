"""The savings model: 2.8 million euros per team over twelve years, accrued evenly by day."""

from datetime import date

from rinnalla_billing.domain.savings import SavingsModel, accrued_savings


def test_the_savings_accrue_by_day_over_the_horizon() -> None:
    model = SavingsModel()
    start = date(2026, 1, 1)
    # 2038-01-01 is 4383 days later; one day accrues 280,000,000 / 4383 = 63,883.18... -> 63,883 cents
    assert accrued_savings(model, start, start) == 63_883
    assert accrued_savings(model, start, date(2037, 12, 31)) == 280_000_000
    assert accrued_savings(model, start, date(2045, 1, 1)) == 280_000_000  # never beyond the model
    assert accrued_savings(model, start, date(2025, 12, 31)) == 0
    assert accrued_savings(model, None, date(2030, 1, 1)) == 0


def test_the_model_is_configurable() -> None:
    model = SavingsModel(savings_per_team_cents=120_000_000, horizon_years=1)
    # the first half of 2026: 181 of 365 days of 1.2 million euros = 595,068.493... EUR -> 595,068.49
    assert accrued_savings(model, date(2026, 1, 1), date(2026, 6, 30)) == 59_506_849
