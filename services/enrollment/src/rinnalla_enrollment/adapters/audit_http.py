"""The access and disclosure logs under `/v1/audit` (Act 703/2023: a client may ask who read their data).

The routes are the shared security library's; this module mounts them with the service's error shapes
documented, so that the OpenAPI document describes what the API really answers (e.g. a bad `until`).
"""

from fastapi import APIRouter
from rinnalla_security import audit_router

from rinnalla_enrollment.adapters.errors import ERROR_RESPONSES

AUDIT_PREFIX = "/audit"


def enrollment_audit_router() -> APIRouter:
    router = APIRouter()
    router.include_router(audit_router(prefix=AUDIT_PREFIX), responses=ERROR_RESPONSES)
    return router
