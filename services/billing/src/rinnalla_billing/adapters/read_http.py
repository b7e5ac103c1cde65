"""The read API under /v1: a document as issued (from the event store: what was issued never changes),
and the finance view of an agreement's documents (from the read model, eventually consistent)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, ConfigDict
from rinnalla_events import load
from rinnalla_security import Access, Action, NotFound, Role, authorize

from rinnalla_billing.adapters.dependencies import get_billing
from rinnalla_billing.adapters.documents import finvoice, peppol_ubl
from rinnalla_billing.adapters.errors import ERROR_RESPONSES
from rinnalla_billing.adapters.examples import DOCUMENT as DOCUMENT_EXAMPLE
from rinnalla_billing.adapters.examples import DOCUMENT_ROW
from rinnalla_billing.application.deciders import DOCUMENT
from rinnalla_billing.bootstrap import Billing
from rinnalla_billing.domain import events as e
from rinnalla_billing.domain.document import DocumentState
from rinnalla_billing.domain.errors import InvalidTransition
from rinnalla_billing.domain.money import ROUNDING
from rinnalla_billing.projections.documents import STATUS_SQL
from rinnalla_billing.projections.tables import READ_SCHEMA

IdPath = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")]
READERS = {Role.FINANCE, Role.ADMIN}

read_document = authorize(
    Action.read("invoice"), roles={*READERS, Role.ERP_CLIENT, Role.MUNICIPALITY_OFFICIAL},
    description="An invoice or credit note with its lines (teams and periods, never children)",
)
read_agreement_documents = authorize(
    Action.read("invoice_list"), roles={*READERS, Role.MUNICIPALITY_OFFICIAL},
    description="The documents of an agreement with their status, payments and credits",
)


class Issue(BaseModel):
    series: str
    number: str
    issued_on: date
    due_on: date
    reference: str
    rf_reference: str


class DocumentView(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [DOCUMENT_EXAMPLE]})

    document_id: str
    kind: e.DocumentKind
    status: str
    agreement_id: str
    run_period: str
    seller: dict[str, str]
    payer: dict[str, object]
    vat: dict[str, object]
    lines: list[e.ChargeLine]
    total_cents: int
    vat_cents: int
    rounding: str
    cites: e.Cited | None
    issue: Issue | None
    paid_cents: int
    credited_cents: int


class DocumentRow(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [DOCUMENT_ROW]})

    document_id: str
    kind: str
    status: str
    payer_id: str
    payer_name: str
    run_period: str
    total_cents: int
    vat_cents: int
    number: str | None
    issued_on: date | None
    due_on: date | None
    paid_cents: int
    credited_cents: int
    cites_number: str | None


async def document_view(billing: Billing, access: Access, document_id: str) -> DocumentView:
    state, _ = await load(billing.runtime.store, DOCUMENT, document_id)
    drafted = state.drafted
    if drafted is None:
        raise NotFound()
    access.ensure_tenant(drafted.municipality_code)
    issued = state.issued
    return DocumentView(
        document_id=document_id, kind=drafted.kind, status=state.status, agreement_id=drafted.agreement_id,
        run_period=drafted.run_period, seller=drafted.seller.model_dump(mode="json"),
        payer=drafted.payer.model_dump(mode="json"), vat=drafted.vat.model_dump(mode="json"),
        lines=list(drafted.lines), total_cents=drafted.total_cents, vat_cents=drafted.vat_cents, rounding=ROUNDING,
        cites=drafted.cites,
        issue=Issue(
            series=issued.series, number=issued.number, issued_on=issued.issued_on, due_on=issued.due_on,
            reference=issued.reference, rf_reference=issued.rf_reference,
        ) if issued is not None else None,
        paid_cents=state.paid_cents, credited_cents=state.credited_cents,
    )


read_einvoice = authorize(
    Action.read("einvoice"), roles={*READERS, Role.ERP_CLIENT},
    description="An issued document as Peppol BIS Billing 3.0 (UBL 2.1) or Finvoice 3.0 XML",
)

XML_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/xml": {"example": "<Invoice>...</Invoice>"}}, "description": "the document"},
    **ERROR_RESPONSES,
}


async def _issued_state(billing: Billing, access: Access, document_id: str) -> DocumentState:
    state, _ = await load(billing.runtime.store, DOCUMENT, document_id)
    if state.drafted is None:
        raise NotFound()
    access.ensure_tenant(state.drafted.municipality_code)
    if state.issued is None:
        raise InvalidTransition("document_id", f"document {document_id} is a {state.status}: it has no number yet")
    return state


def read_router() -> APIRouter:
    router = APIRouter(tags=["reads"])

    @router.get("/documents/{document_id}", response_model=DocumentView, responses=ERROR_RESPONSES,
                summary="An invoice or credit note, as drafted or issued")
    async def get_document(
        document_id: IdPath,
        access: Annotated[Access, Depends(read_document)],
        billing: Annotated[Billing, Depends(get_billing)],
    ) -> DocumentView:
        return await document_view(billing, access, document_id)

    @router.get("/agreements/{agreement_id}/documents", response_model=list[DocumentRow], responses=ERROR_RESPONSES,
                summary="The agreement's documents (finance view)")
    async def list_documents(
        agreement_id: IdPath,
        access: Annotated[Access, Depends(read_agreement_documents)],
        billing: Annotated[Billing, Depends(get_billing)],
    ) -> list[DocumentRow]:
        async with billing.runtime.connections.acquire() as conn:
            rows = await conn.fetch(
                f"""SELECT d.*, {STATUS_SQL} AS status FROM {READ_SCHEMA}.documents d
                     WHERE agreement_id = $1 ORDER BY feed_seq NULLS LAST, document_id""",
                agreement_id,
            )
        visible = [row for row in rows if access.principal.in_tenant(row["municipality_code"])]
        if rows and not visible:
            raise NotFound()
        return [DocumentRow.model_validate(dict(row)) for row in visible]

    @router.get("/documents/{document_id}/peppol.xml", response_class=Response, responses=XML_RESPONSES,
                summary="The issued document as Peppol BIS Billing 3.0 (UBL 2.1 Invoice or CreditNote)")
    async def get_peppol(
        document_id: IdPath,
        access: Annotated[Access, Depends(read_einvoice)],
        billing: Annotated[Billing, Depends(get_billing)],
    ) -> Response:
        state = await _issued_state(billing, access, document_id)
        return Response(peppol_ubl(state), media_type="application/xml")

    @router.get("/documents/{document_id}/finvoice.xml", response_class=Response, responses=XML_RESPONSES,
                summary="The issued document as Finvoice 3.0")
    async def get_finvoice(
        document_id: IdPath,
        access: Annotated[Access, Depends(read_einvoice)],
        billing: Annotated[Billing, Depends(get_billing)],
    ) -> Response:
        state = await _issued_state(billing, access, document_id)
        return Response(finvoice(state), media_type="application/xml")

    return router
