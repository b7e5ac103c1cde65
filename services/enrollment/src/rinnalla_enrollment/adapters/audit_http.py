"""The access and disclosure logs under `/v1/audit` (Act 703/2023: a client may ask who read their data).

The routes are the shared security library's; this module mounts them with the service's error shapes
documented, so that the OpenAPI document describes what the API really answers (e.g. a bad `until`), and
answers which children a guardian may ask about from the read model (access follows the log).
"""

from fastapi import APIRouter, Request
from rinnalla_security import Principal, Relations, audit_router

from rinnalla_enrollment.adapters.dependencies import get_enrollment
from rinnalla_enrollment.adapters.errors import ERROR_RESPONSES


async def relations_in_log(request: Request, principal: Principal) -> Relations:
    return await get_enrollment(request).relations(principal)

AUDIT_PREFIX = "/audit"


def enrollment_audit_router() -> APIRouter:
    router = APIRouter()
    router.include_router(audit_router(prefix=AUDIT_PREFIX, relations=relations_in_log), responses=ERROR_RESPONSES)
    return router
