"""The research extract over HTTP: the evaluator asks for one study's pseudonymised rows as CSV or Parquet.

Every child in the file is written to the disclosure log (to whom, what, under which consent), and the
extract is recorded as an event. A retried request does not produce the file again (409): a new extract
needs a new id, and is logged anew.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Any

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict
from rinnalla_events import EventMetadata, Idempotency, fingerprint
from rinnalla_security import Access, Action, Role, authorize
from starlette.responses import Response

from rinnalla_caselog.adapters.dependencies import IdempotencyKey, get_caselog
from rinnalla_caselog.adapters.errors import ERROR_RESPONSES
from rinnalla_caselog.application.research import produce_extract
from rinnalla_caselog.bootstrap import Caselog
from rinnalla_caselog.domain.errors import AlreadyExists
from rinnalla_caselog.domain.research import ExtractFormat, ProduceResearchExtract, StudyId
from rinnalla_caselog.domain.values import Label

CSV_MEDIA = "text/csv"
PARQUET_MEDIA = "application/vnd.apache.parquet"
DISCLOSED = ("pseudonymised research extract: birth year, cohort, enrolment and exit dates, contacts per setting "
             "and month, assessment scores by instrument, informant and wave")

produce_research_extract = authorize(
    Action.write("research_extract", "produce"), roles={Role.EVALUATOR}, personal_data=True,
    description="A study's pseudonymised rows of children whose research consent is in force",
)


class ExtractRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "study_id": "thl-icehearts-2015", "recipient_organisation": "org-evaluator", "municipality_code": "092",
        "format": "csv",
    }]})

    study_id: StudyId
    recipient_organisation: Label
    municipality_code: Label
    format: ExtractFormat = ExtractFormat.CSV


CSV_EXAMPLE = (
    "pseudonym,birth_year,cohort,enrolled_on,exited_on,dose_home_visit_or_family_meeting_2026-09,"
    "score_sdq_parent_baseline_total_difficulties\n"
    "0c5b0d8e...,2019,2025,2025-08-20,,2,14.0\n"
)


def render_csv(columns: list[str], rows: list[dict[str, object]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v.isoformat() if isinstance(v, date) else v) for k, v in row.items()})
    return out.getvalue().encode()


def render_parquet(columns: list[str], rows: list[dict[str, object]]) -> bytes:
    fields = []
    for column in columns:
        if column in ("enrolled_on", "exited_on"):
            kind: Any = pa.date32()
        elif column in ("birth_year", "cohort") or column.startswith("dose_"):
            kind = pa.int32()
        elif column.startswith("score_"):
            kind = pa.float64()
        else:
            kind = pa.string()
        fields.append(pa.field(column, kind))
    table = pa.Table.from_pylist(rows, schema=pa.schema(fields))
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def research_router() -> APIRouter:
    router = APIRouter(tags=["research"])

    @router.post(
        "/research-extracts/{extract_id}", summary="Produce a research extract (CSV or Parquet)",
        response_class=Response,
        responses={**ERROR_RESPONSES, 200: {"description": "the extract", "content": {
            CSV_MEDIA: {"schema": {"type": "string"}, "example": CSV_EXAMPLE},
            PARQUET_MEDIA: {"schema": {"type": "string", "format": "binary"}, "example": "PAR1..."},
        }}},
    )
    async def research_extract(
        extract_id: Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")],
        body: ExtractRequest,
        idempotency_key: IdempotencyKey,
        access: Annotated[Access, Depends(produce_research_extract)],
        caselog: Annotated[Caselog, Depends(get_caselog)],
    ) -> Response:
        access.ensure_tenant(body.municipality_code)
        principal = access.principal
        command = ProduceResearchExtract(extract_id=extract_id, at=caselog.clock(), **body.model_dump())
        idempotency = Idempotency(
            key=f"{principal.subject}:{idempotency_key}",
            fingerprint=fingerprint({"endpoint": access.endpoint, "id": extract_id,
                                     "body": body.model_dump(mode="json")}),
        )
        writer = caselog.writer(EventMetadata(actor=principal.subject), idempotency)
        if await writer.previous() is not None:
            raise AlreadyExists("extract_id", f"extract {extract_id} was already produced: a new one needs a new id")
        master_key = caselog.runtime.settings.require_master_key()
        extract = await produce_extract(writer, caselog.research, master_key, principal.subject, command)
        for disclosed in extract.disclosed:
            await access.record_disclosure(
                disclosed.child_id, recipient_organisation=body.recipient_organisation,
                disclosed=f"{DISCLOSED} (study {body.study_id}, extract {extract_id})",
                consent_id=disclosed.consent_id, tenant=body.municipality_code,
            )
        if not extract.disclosed:
            await access.record_many([], tenant=body.municipality_code)
        if body.format is ExtractFormat.PARQUET:
            content, media = render_parquet(extract.columns, extract.rows), PARQUET_MEDIA
        else:
            content, media = render_csv(extract.columns, extract.rows), CSV_MEDIA
        return Response(content, media_type=media, headers={
            "Content-Disposition": f'attachment; filename="{body.study_id}-{extract_id}.{body.format.value}"',
            "X-Extract-Rows": str(len(extract.rows)),
        })

    return router
