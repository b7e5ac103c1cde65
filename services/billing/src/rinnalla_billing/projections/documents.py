"""Invoices and credit notes for finance and the ERP feed: one row per document, its lines and payments.

`feed_seq` numbers issued documents in the order they were issued (the order of billing's stream), so the
ERP's cursor is a number in that order, never a timestamp: reading from the same cursor twice gives the
same documents, and a rebuild numbers them the same."""

from __future__ import annotations

from collections.abc import Sequence

from rinnalla_events import PgConnection, Projection, RecordedEvent, Tables

from rinnalla_billing.domain import events as e

STATUS_SQL = """CASE
    WHEN kind = 'invoice' AND issued_on IS NOT NULL AND credited_cents >= total_cents + vat_cents THEN 'credited'
    WHEN kind = 'invoice' AND issued_on IS NOT NULL AND paid_cents > 0
         AND paid_cents >= total_cents + vat_cents - credited_cents THEN 'paid'
    WHEN kind = 'invoice' AND issued_on IS NOT NULL AND paid_cents > 0 THEN 'partly_paid'
    ELSE stage END"""


class DocumentsProjection(Projection):
    name = "documents"
    version = 1
    sources = ("billing",)
    tables = ("documents", "document_lines", "payments")
    event_types = frozenset(t.event_type for t in e.DOCUMENT_EVENTS)

    def ddl(self, t: Tables) -> Sequence[str]:
        return [
            f"""CREATE TABLE {t['documents']} (
                document_id text PRIMARY KEY, kind text NOT NULL, agreement_id text NOT NULL,
                municipality_code text NOT NULL, run_period text NOT NULL, payer_id text NOT NULL,
                payer_name text NOT NULL, payer_business_id text NOT NULL, payer_peppol_id text NOT NULL,
                buyer_reference text NOT NULL, seller_business_id text NOT NULL,
                total_cents bigint NOT NULL, vat_cents bigint NOT NULL, vat_category text NOT NULL,
                cites_document_id text, cites_number text,
                stage text NOT NULL, series text, number text, issued_on date, due_on date,
                reference text, rf_reference text, delivery_channel text, delivery_note text,
                paid_cents bigint NOT NULL DEFAULT 0, credited_cents bigint NOT NULL DEFAULT 0,
                last_paid_on date, feed_seq bigint UNIQUE)""",
            f"""CREATE TABLE {t['document_lines']} (
                document_id text NOT NULL, line_no int NOT NULL, team_id text NOT NULL, team_name text NOT NULL,
                period text NOT NULL, period_start date NOT NULL, period_end date NOT NULL,
                active_days int NOT NULL, period_days int NOT NULL, amount_cents bigint NOT NULL,
                PRIMARY KEY (document_id, line_no))""",
            f"""CREATE TABLE {t['payments']} (
                document_id text NOT NULL, payment_id text NOT NULL, amount_cents bigint NOT NULL,
                paid_on date NOT NULL, PRIMARY KEY (document_id, payment_id))""",
            f"CREATE INDEX {t.index('documents_agreement')} ON {t['documents']} (agreement_id)",
        ]

    async def apply(self, conn: PgConnection, t: Tables, recorded: RecordedEvent) -> None:
        event = recorded.event
        documents = t["documents"]
        match event:
            case e.DocumentDrafted():
                await conn.execute(
                    f"""INSERT INTO {documents} (document_id, kind, agreement_id, municipality_code, run_period,
                            payer_id, payer_name, payer_business_id, payer_peppol_id, buyer_reference,
                            seller_business_id, total_cents, vat_cents, vat_category, cites_document_id,
                            cites_number, stage)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 'draft')
                        ON CONFLICT (document_id) DO NOTHING""",
                    event.document_id, event.kind.value, event.agreement_id, event.municipality_code,
                    event.run_period, event.payer.payer_id, event.payer.name, event.payer.business_id,
                    event.payer.peppol_id, event.payer.buyer_reference, event.seller.business_id,
                    event.total_cents, event.vat_cents, event.vat.category.value,
                    event.cites.invoice_id if event.cites else None,
                    event.cites.invoice_number if event.cites else None,
                )
                for number, line in enumerate(event.lines, start=1):
                    await conn.execute(
                        f"""INSERT INTO {t['document_lines']} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                            ON CONFLICT DO NOTHING""",
                        event.document_id, number, line.team_id, line.team_name, line.period, line.period_start,
                        line.period_end, line.active_days, line.period_days, line.amount_cents,
                    )
            case e.DocumentDiscarded():
                await conn.execute(f"UPDATE {documents} SET stage = 'discarded' WHERE document_id = $1",
                                   event.document_id)
            case e.DocumentIssued():
                await conn.execute(
                    f"""UPDATE {documents} SET stage = 'issued', series = $2, number = $3, issued_on = $4,
                            due_on = $5, reference = $6, rf_reference = $7,
                            feed_seq = (SELECT coalesce(max(feed_seq), 0) + 1 FROM {documents})
                        WHERE document_id = $1 AND feed_seq IS NULL""",
                    event.document_id, event.series, event.number, event.issued_on, event.due_on,
                    event.reference, event.rf_reference,
                )
            case e.DocumentDelivered():
                await conn.execute(
                    f"UPDATE {documents} SET stage = 'delivered', delivery_channel = $2, delivery_note = NULL"
                    " WHERE document_id = $1",
                    event.document_id, event.channel,
                )
            case e.DocumentDeliveryFailed():
                await conn.execute(
                    f"UPDATE {documents} SET stage = 'delivery_failed', delivery_channel = $2, delivery_note = $3"
                    " WHERE document_id = $1",
                    event.document_id, event.channel, event.reason,
                )
            case e.InvoiceCredited():
                await conn.execute(
                    f"UPDATE {documents} SET credited_cents = credited_cents + $2 WHERE document_id = $1",
                    event.document_id, event.amount_cents,
                )
            case e.PaymentReceived():
                inserted = await conn.fetchval(
                    f"""INSERT INTO {t['payments']} VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING
                        RETURNING payment_id""",
                    event.document_id, event.payment_id, event.amount_cents, event.paid_on,
                )
                if inserted is not None:
                    await conn.execute(
                        f"UPDATE {documents} SET paid_cents = paid_cents + $2,"
                        " last_paid_on = greatest(last_paid_on, $3) WHERE document_id = $1",
                        event.document_id, event.amount_cents, event.paid_on,
                    )

    async def purge_subject(self, conn: PgConnection, t: Tables, subject_id: str) -> None:
        """Nothing to purge: documents name organisations, teams and periods, no person."""
