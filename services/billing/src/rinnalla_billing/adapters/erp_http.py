"""The ERP integration under /v1/erp: a feed of issued invoices and credit notes read from a cursor (a
position in the order of issue, never a timestamp), the ERP's acknowledgement of what it has taken in, and
a CSV export for ERPs without e-invoicing. Payments come back through `POST /documents/{id}/payments`,
where the ERP's payment id makes a repeated report count once.

The feed is read from the read model: a document issued a moment ago appears once the worker has applied
it, always after the documents issued before it, so an ERP that reads from its cursor misses none."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from rinnalla_events import EventMetadata, Idempotency, fingerprint, load
from rinnalla_security import Access, Action, Role, authorize

from rinnalla_billing.adapters.dependencies import HttpGuard, IdempotencyKey, get_billing
from rinnalla_billing.adapters.errors import ERROR_RESPONSES
from rinnalla_billing.application import handlers as h
from rinnalla_billing.application.deciders import ERP_CLIENT
from rinnalla_billing.bootstrap import Billing
from rinnalla_billing.domain.erp import AcknowledgeFeed
from rinnalla_billing.domain.money import euros
from rinnalla_billing.projections.documents import STATUS_SQL
from rinnalla_billing.projections.tables import READ_SCHEMA

ERP_READERS = {Role.ERP_CLIENT, Role.FINANCE, Role.ADMIN}

read_feed = authorize(
    Action.read("erp_feed"), roles=ERP_READERS,
    description="Issued invoices and credit notes of the caller's municipalities, from a cursor",
)
acknowledge = authorize(
    Action.write("erp_feed", "acknowledge"), roles={Role.ERP_CLIENT},
    description="The ERP acknowledges the feed up to a cursor",
)

FEED_ITEM_EXAMPLE: dict[str, Any] = {
    "cursor": 1, "document_id": "p-vantaa-2026-H1-r1-1", "kind": "invoice", "number": "2026000001",
    "issued_on": "2026-01-02", "due_on": "2026-01-23", "payer_name": "Vantaan kaupunki",
    "payer_business_id": "0124610-9", "buyer_reference": "VANTAA-KASVATUS-42", "total_cents": 3_000_000,
    "vat_cents": 0, "reference": "20260000011", "rf_reference": "RF6620260000011", "cites_number": None,
    "status": "issued", "peppol": "/v1/documents/p-vantaa-2026-H1-r1-1/peppol.xml",
    "finvoice": "/v1/documents/p-vantaa-2026-H1-r1-1/finvoice.xml",
}


class FeedItem(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [FEED_ITEM_EXAMPLE]})

    cursor: int = Field(description="this document's position in the feed")
    document_id: str
    kind: str
    number: str
    issued_on: date
    due_on: date
    payer_name: str
    payer_business_id: str
    buyer_reference: str
    total_cents: int
    vat_cents: int
    reference: str
    rf_reference: str
    cites_number: str | None
    status: str
    peppol: str
    finvoice: str


class FeedPage(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"documents": [FEED_ITEM_EXAMPLE], "cursor": 1, "acknowledged": 0, "more": False}
    ]})

    documents: list[FeedItem]
    cursor: int = Field(description="pass it as `since` to read on; acknowledge it once taken in")
    acknowledged: int = Field(description="the cursor this client acknowledged last")
    more: bool = Field(description="true when more documents follow this page")


class Acknowledgement(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"cursor": 1}]})

    cursor: int = Field(ge=0)


class AcknowledgementAnswer(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"acknowledged": 1, "changed": True}]})

    acknowledged: int
    changed: bool


async def _acknowledged(billing: Billing, client_id: str) -> int:
    state, _ = await load(billing.runtime.store, ERP_CLIENT, client_id)
    return state.acknowledged


async def _rows(billing: Billing, access: Access, since: int, limit: int) -> list[Any]:
    tenants = sorted(access.principal.tenants)
    async with billing.runtime.connections.acquire() as conn:
        return list(await conn.fetch(
            f"""SELECT d.*, {STATUS_SQL} AS status FROM {READ_SCHEMA}.documents d
                 WHERE feed_seq > $1 AND municipality_code = ANY($2::text[])
                 ORDER BY feed_seq LIMIT $3""",
            since, tenants, limit,
        ))


def _item(row: Any) -> FeedItem:
    document_id = row["document_id"]
    return FeedItem(
        cursor=row["feed_seq"], document_id=document_id, kind=row["kind"], number=row["number"],
        issued_on=row["issued_on"], due_on=row["due_on"], payer_name=row["payer_name"],
        payer_business_id=row["payer_business_id"], buyer_reference=row["buyer_reference"],
        total_cents=row["total_cents"], vat_cents=row["vat_cents"], reference=row["reference"],
        rf_reference=row["rf_reference"], cites_number=row["cites_number"], status=row["status"],
        peppol=f"/v1/documents/{document_id}/peppol.xml", finvoice=f"/v1/documents/{document_id}/finvoice.xml",
    )


CSV_COLUMNS = (
    "cursor", "number", "kind", "issued_on", "due_on", "payer_business_id", "payer_name", "buyer_reference",
    "total_eur", "vat_eur", "payable_eur", "reference", "rf_reference", "credits_number",
)


def erp_router() -> APIRouter:
    router = APIRouter(prefix="/erp", tags=["erp"])

    @router.get("/feed", response_model=FeedPage, responses=ERROR_RESPONSES,
                summary="Issued invoices and credit notes after a cursor (by default the acknowledged one)")
    async def feed(
        access: Annotated[Access, Depends(read_feed)],
        billing: Annotated[Billing, Depends(get_billing)],
        since: Annotated[int | None, Query(ge=0, description="a cursor from an earlier page; never a time")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> FeedPage:
        acknowledged = await _acknowledged(billing, access.principal.subject)
        start = acknowledged if since is None else since
        rows = await _rows(billing, access, start, limit + 1)
        items = [_item(row) for row in rows[:limit]]
        return FeedPage(
            documents=items, cursor=items[-1].cursor if items else start, acknowledged=acknowledged,
            more=len(rows) > limit,
        )

    @router.post("/acknowledgements", response_model=AcknowledgementAnswer, responses=ERROR_RESPONSES,
                 summary="Acknowledge the feed up to a cursor (a repeated or older acknowledgement changes nothing)")
    async def acknowledge_feed(
        body: Acknowledgement,
        idempotency_key: IdempotencyKey,
        access: Annotated[Access, Depends(acknowledge)],
        billing: Annotated[Billing, Depends(get_billing)],
    ) -> AcknowledgementAnswer:
        client = access.principal.subject
        command = AcknowledgeFeed(client_id=client, cursor=body.cursor)
        idempotency = Idempotency(
            key=f"{client}:{idempotency_key}",
            fingerprint=fingerprint({"endpoint": access.endpoint, "body": body.model_dump(mode="json")}),
        )
        writer = billing.writer(EventMetadata(actor=client), idempotency)
        outcome = await writer.previous() or await h.acknowledge_feed(writer, HttpGuard(access), command)
        acknowledged = await _acknowledged(billing, client)
        return AcknowledgementAnswer(acknowledged=acknowledged, changed=bool(outcome.result["events"]))

    @router.get("/export.csv", response_class=Response, summary="The feed as CSV, for ERPs without e-invoicing",
                responses={200: {"content": {"text/csv": {"example": ",".join(CSV_COLUMNS)}},
                                 "description": "one document per row, euros with a decimal point"},
                           **ERROR_RESPONSES})
    async def export_csv(
        access: Annotated[Access, Depends(read_feed)],
        billing: Annotated[Billing, Depends(get_billing)],
        since: Annotated[int, Query(ge=0, description="a cursor; 0 for everything")] = 0,
    ) -> Response:
        rows = await _rows(billing, access, since, 10_000)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            sign = -1 if row["kind"] == "credit_note" else 1
            writer.writerow([
                row["feed_seq"], row["number"], row["kind"], row["issued_on"].isoformat(), row["due_on"].isoformat(),
                row["payer_business_id"], row["payer_name"], row["buyer_reference"],
                euros(sign * row["total_cents"]), euros(sign * row["vat_cents"]),
                euros(sign * (row["total_cents"] + row["vat_cents"])), row["reference"], row["rf_reference"],
                row["cites_number"] or "",
            ])
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8")

    return router
