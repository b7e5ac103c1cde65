"""Outcome contracts for dashboards: one row per contract (its parties by name, what was reinvested) and one
per result (metric, period, status, n, value against counterfactual, the payment). The rows hold the exact
figures; the Grafana views over them suppress every figure of a result measured on fewer than 5."""

from __future__ import annotations

from collections.abc import Sequence

from rinnalla_events import PgConnection, Projection, RecordedEvent, Tables

from rinnalla_billing.domain import sib


class SibFiguresProjection(Projection):
    name = "sib_figures"
    version = 1
    sources = ("billing",)
    tables = ("sib_contracts", "sib_metrics", "sib_results", "sib_reinvestments")
    event_types = frozenset(t.event_type for t in sib.SIB_EVENTS)

    def ddl(self, t: Tables) -> Sequence[str]:
        return [
            f"""CREATE TABLE {t['sib_contracts']} (
                contract_id text PRIMARY KEY, municipality_code text NOT NULL, fund_name text NOT NULL,
                outcome_payer_name text NOT NULL, savings_beneficiary_name text NOT NULL,
                cohort_target int NOT NULL, horizon_years int NOT NULL)""",
            f"""CREATE TABLE {t['sib_metrics']} (
                contract_id text NOT NULL, metric_id text NOT NULL, name text NOT NULL,
                higher_is_better boolean NOT NULL, target numeric NOT NULL, PRIMARY KEY (contract_id, metric_id))""",
            f"""CREATE TABLE {t['sib_results']} (
                contract_id text NOT NULL, metric_id text NOT NULL, period_id text NOT NULL,
                metric_name text NOT NULL, higher_is_better boolean NOT NULL, target numeric NOT NULL,
                status text NOT NULL, n int NOT NULL, value numeric NOT NULL, counterfactual numeric NOT NULL,
                payment_cents bigint, document_id text, PRIMARY KEY (contract_id, metric_id, period_id))""",
            f"""CREATE TABLE {t['sib_reinvestments']} (
                contract_id text NOT NULL, reinvestment_id text NOT NULL, amount_cents bigint NOT NULL,
                reinvested_on date NOT NULL, purpose text NOT NULL, PRIMARY KEY (contract_id, reinvestment_id))""",
        ]

    async def apply(self, conn: PgConnection, t: Tables, recorded: RecordedEvent) -> None:
        event = recorded.event
        results = t["sib_results"]
        key = "WHERE contract_id = $1 AND metric_id = $2 AND period_id = $3"
        match event:
            case sib.SibContractSetUp():
                await conn.execute(
                    f"""INSERT INTO {t['sib_contracts']} VALUES ($1, $2, $3, $4, $5, $6, $7)
                        ON CONFLICT (contract_id) DO NOTHING""",
                    event.contract_id, event.municipality_code, event.fund.name, event.outcome_payer.name,
                    event.savings_beneficiary.name, event.cohort_target, event.horizon_years,
                )
                for metric in event.metrics:
                    await conn.execute(
                        f"INSERT INTO {t['sib_metrics']} VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                        event.contract_id, metric.metric_id, metric.name, metric.higher_is_better, metric.target,
                    )
            case sib.OutcomeResultSubmitted():
                await conn.execute(
                    f"""INSERT INTO {results} (contract_id, metric_id, period_id, metric_name, higher_is_better,
                            target, status, n, value, counterfactual)
                        SELECT contract_id, metric_id, $3, name, higher_is_better, target, 'submitted', $4, $5, $6
                          FROM {t['sib_metrics']} WHERE contract_id = $1 AND metric_id = $2
                        ON CONFLICT (contract_id, metric_id, period_id) DO UPDATE SET status = 'submitted',
                            n = EXCLUDED.n, value = EXCLUDED.value, counterfactual = EXCLUDED.counterfactual""",
                    event.contract_id, event.metric_id, event.period_id, event.n, event.value, event.counterfactual,
                )
            case sib.OutcomeResultVerified():
                await conn.execute(f"UPDATE {results} SET status = 'verified' {key}",
                                   event.contract_id, event.metric_id, event.period_id)
            case sib.OutcomeResultDisputed():
                await conn.execute(f"UPDATE {results} SET status = 'disputed' {key}",
                                   event.contract_id, event.metric_id, event.period_id)
            case sib.OutcomePaymentBilled():
                await conn.execute(
                    f"UPDATE {results} SET status = 'billed', payment_cents = $4, document_id = $5 {key}",
                    event.contract_id, event.metric_id, event.period_id, event.amount_cents, event.document_id,
                )
            case sib.OutcomePaymentReinvested():
                await conn.execute(
                    f"""INSERT INTO {t['sib_reinvestments']} VALUES ($1, $2, $3, $4, $5)
                        ON CONFLICT DO NOTHING""",
                    event.contract_id, event.reinvestment_id, event.amount_cents, event.reinvested_on,
                    event.purpose,
                )

    async def purge_subject(self, conn: PgConnection, t: Tables, subject_id: str) -> None:
        """Nothing to purge: contracts name organisations, results are counts and rates, no person."""
