"""Billing runs and issuing: what is due per payer, team and period, compared with what was booked.

Due for a team and a period: the team's price for a period (the annual price of the terms in force at the
period's start divided by the periods in a year) prorated by the days the team was active in it, from its
activation to its last day (and within the agreement's term), rounded half up to the cent once; then split
between the payers by their shares with the largest-remainder method. A run drafts, per payer, one invoice
with what is due and not yet booked (the run's period, and any earlier period that now owes more), and one
credit note per invoice whose booked amount now exceeds what is due, citing it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from rinnalla_events import DomainEvent, StreamEvents

from rinnalla_billing.domain import account as account_aggregate
from rinnalla_billing.domain import document as document_aggregate
from rinnalla_billing.domain import events as e
from rinnalla_billing.domain import series as series_aggregate
from rinnalla_billing.domain.account import AccountState, Key
from rinnalla_billing.domain.agreement import AgreementState
from rinnalla_billing.domain.document import DocumentState
from rinnalla_billing.domain.errors import InvalidTransition, NotFound, RuleViolated
from rinnalla_billing.domain.facts import PartnershipFacts, TeamSpan
from rinnalla_billing.domain.money import round_cents, split
from rinnalla_billing.domain.periods import Period, period_of
from rinnalla_billing.domain.values import PayerTerms, VatCategory, VatTreatment

CORRECTIONS = "corrections"


def team_charge(agreement: AgreementState, facts: PartnershipFacts, team: TeamSpan, period: Period) -> tuple[int, int]:
    """(active days, the team's charge for the period before the split between payers)."""
    if team.activated_on is None or agreement.valid_from is None:
        return 0, 0
    first = max(team.activated_on, agreement.valid_from)
    ends = [d for d in (team.ended_on, agreement.last_day, facts.ended_on) if d is not None]
    days = period.overlap_days(first, min(ends) if ends else None)
    price = agreement.terms_on(period.start).price_per_team_cents
    return days, round_cents(Fraction(price * days, agreement.frequency.per_year * period.days))


def due(agreement: AgreementState, facts: PartnershipFacts, team: TeamSpan, period: Period) -> dict[str, int]:
    """Per payer id: what the payer owes for the team and period."""
    payers = agreement.terms_on(period.start).payers
    _, charge = team_charge(agreement, facts, team, period)
    parts = split(charge, [p.share_basis_points for p in payers])
    return {payer.payer_id: part for payer, part in zip(payers, parts, strict=True)}


@dataclass(frozen=True)
class Draft:
    kind: e.DocumentKind
    payer: PayerTerms
    lines: tuple[e.ChargeLine, ...]
    cites: e.Cited | None
    vat: VatTreatment


def _vat_cents(vat: VatTreatment, total: int) -> int:
    if vat.category is VatCategory.EXEMPT:
        return 0
    return round_cents(Fraction(total * vat.rate_basis_points, 10_000))


def plan(
    agreement: AgreementState, account: AccountState, facts: PartnershipFacts, run: Period | None
) -> list[Draft]:
    """The documents a run drafts (empty when nothing is due and nothing needs correcting)."""
    teams = {t.team_id: t for t in facts.teams}
    periods: dict[str, Period] = {}
    keys: set[Key] = set(account.bookings)
    if run is not None:
        periods[run.label] = run
    # every team and payer of every period invoiced so far: a team that started late owes for those too
    for label in sorted({*account.invoiced_periods(), *periods}):
        period = periods.setdefault(label, period_of(agreement.frequency, label))
        for payer in agreement.terms_on(period.start).payers:
            keys.update((payer.payer_id, team_id, label) for team_id in teams)
    lines_by_payer: dict[str, list[e.ChargeLine]] = defaultdict(list)
    credits: dict[tuple[str, str], list[e.ChargeLine]] = defaultdict(list)
    cited: dict[str, account_aggregate.Booking] = {}
    for key in sorted(keys):
        payer_id, team_id, label = key
        period = periods.setdefault(label, period_of(agreement.frequency, label))
        team = teams.get(team_id, TeamSpan(team_id, team_id, None, None))
        days, _ = team_charge(agreement, facts, team, period)
        owed = due(agreement, facts, team, period).get(payer_id, 0)
        booked = account.booked(key)
        difference = owed - booked
        if difference == 0:
            continue

        def line(amount: int, before: int, team: TeamSpan = team, period: Period = period, days: int = days) -> (
            e.ChargeLine
        ):
            return e.ChargeLine(
                team_id=team.team_id, team_name=team.name, period=period.label, period_start=period.start,
                period_end=period.end, active_days=days, period_days=period.days, amount_cents=amount,
                booked_before_cents=before,
            )

        if difference > 0:
            lines_by_payer[payer_id].append(line(difference, booked))
            continue
        # Take the excess back from the latest invoices that booked it, each at most what it booked.
        excess = -difference
        for booking in reversed(account.bookings.get(key, ())):
            if excess == 0:
                break
            if booking.amount_cents <= 0:
                continue
            taken = min(excess, booking.amount_cents)
            cited[booking.document_id] = booking
            credits[(payer_id, booking.document_id)].append(line(-taken, booked))
            excess -= taken
    payers = _payers_known(agreement)
    drafts: list[Draft] = []
    for payer_id, lines in sorted(lines_by_payer.items()):
        terms = agreement.terms_on(run.start if run is not None else max(periods[ln.period].start for ln in lines))
        drafts.append(Draft(e.DocumentKind.INVOICE, payers[payer_id], tuple(lines), None, terms.vat))
    for (payer_id, document_id), lines in sorted(credits.items()):
        booking = cited[document_id]
        terms = agreement.terms_on(periods[lines[0].period].start)
        cites = e.Cited(invoice_id=document_id, invoice_number=booking.number, issued_on=booking.issued_on)
        drafts.append(Draft(e.DocumentKind.CREDIT_NOTE, payers[payer_id], tuple(lines), cites, terms.vat))
    return drafts


def _payers_known(agreement: AgreementState) -> dict[str, PayerTerms]:
    """Every payer of any terms, the latest terms' details winning (an address change reaches old periods)."""
    known: dict[str, PayerTerms] = {}
    for terms in agreement.terms:
        for payer in terms.payers:
            known[payer.payer_id] = payer
    return known


def draft_run(
    agreement: AgreementState, account: AccountState, facts: PartnershipFacts, run: Period | None
) -> list[StreamEvents]:
    """The streams a run changes: one new document stream per draft, and the account's run record."""
    if not agreement.exists:
        raise NotFound("agreement_id", f"agreement {agreement.agreement_id} is not set up")
    if account.open_drafts:
        raise InvalidTransition(
            "period",
            f"the drafts of the run {account.open_run} are still open ({', '.join(account.open_drafts)}): "
            "issue or discard them first",
        )
    if run is not None:
        assert agreement.valid_from is not None
        last = agreement.last_day
        if run.end < agreement.valid_from or (last is not None and run.start > last):
            raise RuleViolated("period", f"the period {run.label} is outside the agreement's term")
    drafts = plan(agreement, account, facts, run)
    if run is not None and run.label in account.invoiced_periods() and not any(
        line.period == run.label for draft in drafts for line in draft.lines
    ):
        raise InvalidTransition("period", f"the period {run.label} is already invoiced")
    if not drafts:
        return []
    label = run.label if run is not None else CORRECTIONS
    changes: list[StreamEvents] = []
    ids: list[str] = []
    for index, draft in enumerate(drafts, start=1):
        document_id = f"{agreement.agreement_id}-{label}-r{account.runs + 1}-{index}"
        ids.append(document_id)
        total = abs(sum(line.amount_cents for line in draft.lines))
        assert agreement.seller is not None
        changes.append(
            StreamEvents(
                document_aggregate.STREAM_TYPE, document_id,
                (
                    e.DocumentDrafted(
                        document_id=document_id, kind=draft.kind, agreement_id=agreement.agreement_id,
                        municipality_code=agreement.municipality_code, run_period=label, seller=agreement.seller,
                        payer=draft.payer, vat=draft.vat, payment_terms_days=agreement.payment_terms_days,
                        lines=draft.lines, total_cents=total, vat_cents=_vat_cents(draft.vat, total),
                        cites=draft.cites,
                    ),
                ),
            )
        )
    prepared = e.DocumentsPrepared(agreement_id=agreement.agreement_id, run_period=label, document_ids=tuple(ids))
    changes.append(StreamEvents(account_aggregate.STREAM_TYPE, agreement.agreement_id, (prepared,)))
    return changes


def issue(
    document: DocumentState,
    document_id: str,
    account: AccountState,
    series: series_aggregate.SeriesState,
    cited: DocumentState | None,
    today: date,
) -> list[StreamEvents]:
    """Number the draft in its series, book its lines and, for a credit note, credit the cited invoice."""
    drafted = document_aggregate.require_draft(document, document_id)
    for line in drafted.lines:
        key = (drafted.payer.payer_id, line.team_id, line.period)
        if account.booked_before_run(key) != line.booked_before_cents:
            raise InvalidTransition(
                "document_id",
                f"the period {line.period} of team {line.team_name} was invoiced to {drafted.payer.name} after this "
                "draft was made: discard it and draft again",
            )
    numbered = series_aggregate.next_number(series, drafted.seller.business_id, today)
    issued = e.DocumentIssued(
        document_id=document_id, kind=drafted.kind, series=numbered.series, sequence=numbered.sequence,
        number=numbered.number, issued_on=today, due_on=document_aggregate.due_on(drafted, today),
        reference=numbered.reference, rf_reference=numbered.rf_reference,
    )
    booked = e.ChargesBooked(
        agreement_id=drafted.agreement_id, document_id=document_id, number=numbered.number, issued_on=today,
        lines=tuple(
            e.BookedLine(
                payer_id=drafted.payer.payer_id, team_id=line.team_id, period=line.period,
                amount_cents=line.amount_cents,
            )
            for line in drafted.lines
        ),
    )
    taken = e.NumberTaken(series=numbered.series, sequence=numbered.sequence, document_id=document_id)
    changes = [
        StreamEvents(document_aggregate.STREAM_TYPE, document_id, (issued,)),
        StreamEvents(account_aggregate.STREAM_TYPE, drafted.agreement_id, (booked,)),
        StreamEvents(series_aggregate.STREAM_TYPE, numbered.series, (taken,)),
    ]
    if drafted.cites is not None:
        if cited is None or cited.issued is None:
            raise InvalidTransition("document_id", f"the cited invoice {drafted.cites.invoice_id} is not issued")
        credited: DomainEvent = e.InvoiceCredited(
            document_id=drafted.cites.invoice_id, credit_note_id=document_id, credit_note_number=numbered.number,
            amount_cents=drafted.total_cents + drafted.vat_cents,
        )
        changes.append(StreamEvents(document_aggregate.STREAM_TYPE, drafted.cites.invoice_id, (credited,)))
    return changes


def discard(document: DocumentState, document_id: str, reason: str) -> list[StreamEvents]:
    drafted = document_aggregate.require_draft(document, document_id)
    return [
        StreamEvents(
            document_aggregate.STREAM_TYPE, document_id,
            (e.DocumentDiscarded(document_id=document_id, record_id=e.document_record(document_id), reason=reason),),
        ),
        StreamEvents(
            account_aggregate.STREAM_TYPE, drafted.agreement_id,
            (e.DraftReleased(agreement_id=drafted.agreement_id, document_id=document_id),),
        ),
    ]
