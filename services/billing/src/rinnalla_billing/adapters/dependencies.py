"""FastAPI dependencies: the service context, the caller's guard, the idempotency header."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Request
from rinnalla_security import Access

from rinnalla_billing.bootstrap import Billing

IDEMPOTENCY_HEADER = "Idempotency-Key"


def get_billing(request: Request) -> Billing:
    billing: Billing = request.app.state.service
    return billing


IdempotencyKey = Annotated[
    str,
    Header(
        alias=IDEMPOTENCY_HEADER,
        min_length=8,
        max_length=200,
        pattern=r"^[A-Za-z0-9._:\-]+$",
        description="A unique key per intended change (e.g. a UUID). Retrying with the same key and body "
        "returns the first result and changes nothing; the same key with another body is refused (422).",
        examples=["7b0b1f1e-5d0c-4c55-9a7e-0d5f4f3b2a10"],
    ),
]


class HttpGuard:
    """Another municipality's agreement or document answers 404 (a refusal never confirms it exists)."""

    def __init__(self, access: Access) -> None:
        self.access = access

    def tenant(self, municipality_code: str) -> None:
        self.access.ensure_tenant(municipality_code)
