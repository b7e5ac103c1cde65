"""Rinnalla security: authentication, authorisation, access and disclosure logging, hostile-input limits
and retention rules shared by every service.

    app = FastAPI()
    install_security(app, service="enrollment", settings=AuthSettings(), audit_log=PostgresAuditLog(pool, ...))
    app.include_router(audit_router())
"""

from rinnalla_security.access import Access
from rinnalla_security.audit.api import audit_router
from rinnalla_security.audit.chain import ChainHead, ChainProblem, ChainReport
from rinnalla_security.audit.entries import AccessEntry, DisclosureEntry, StoredAccess, StoredDisclosure
from rinnalla_security.audit.log import AuditLog
from rinnalla_security.audit.memory import MemoryAuditLog
from rinnalla_security.audit.postgres import PostgresAuditLog
from rinnalla_security.audit.schema import AUDIT_DDL, install_audit_schema
from rinnalla_security.audit.window import log_window
from rinnalla_security.authorize import Authorize, Policy, authorize
from rinnalla_security.bodies import StrictModel
from rinnalla_security.claims import principal_from_claims
from rinnalla_security.demo_users import DEMO_RELATIONSHIPS, DEMO_USERS, DemoUser, demo_user, demo_user_for_role
from rinnalla_security.devtokens import dev_jwks, ensure_dev_keys, mint_dev_token
from rinnalla_security.errors import (
    AuthenticationFailed,
    AuthenticationUnavailable,
    MissingAccessRule,
    NotFound,
    PermissionDenied,
    PurposeRequired,
    SecurityError,
    SpecialReasonRequired,
)
from rinnalla_security.install import install_security
from rinnalla_security.principal import (
    ClientKind,
    MunicipalityCode,
    Principal,
    TenantCode,
    county_of_tenant,
    county_tenant,
)
from rinnalla_security.processing_purposes import (
    ROLE_PURPOSES,
    ProcessingPurpose,
    claimable_purposes,
    usual_purpose,
)
from rinnalla_security.purpose import PURPOSE_HEADER
from rinnalla_security.relationships import (
    MemoryRelationships,
    Relation,
    Relations,
    Relationship,
    RelationshipSource,
    Visibility,
    coming_of_age,
    guardianship,
    mentorship,
    relations_of,
    service_day,
)
from rinnalla_security.retention import (
    ErasureDue,
    Period,
    RetainedRecord,
    RetentionClass,
    RetentionPolicy,
    RetentionSettings,
    UnknownRetentionClass,
    due_for_erasure,
)
from rinnalla_security.roles import ALL_ROLES, TENANT_WIDE_ROLES, Role
from rinnalla_security.routes import RouteRule, render_access_matrix, require_route_rules, route_rules
from rinnalla_security.rules import AccessKind, Action, Rule
from rinnalla_security.settings import DEV_AUDIENCE, DEV_ISSUER, AuthSettings
from rinnalla_security.suppression import (
    SUPPRESS_BELOW,
    TOTAL,
    SuppressedTable,
    is_small_count,
    suppress,
    suppress_counts,
)
from rinnalla_security.tokens import TokenVerifier

__all__ = [
    "ALL_ROLES",
    "AUDIT_DDL",
    "DEMO_RELATIONSHIPS",
    "DEMO_USERS",
    "DEV_AUDIENCE",
    "DEV_ISSUER",
    "PURPOSE_HEADER",
    "ROLE_PURPOSES",
    "SUPPRESS_BELOW",
    "TENANT_WIDE_ROLES",
    "TOTAL",
    "Access",
    "AccessEntry",
    "AccessKind",
    "Action",
    "AuditLog",
    "AuthSettings",
    "AuthenticationFailed",
    "AuthenticationUnavailable",
    "Authorize",
    "ChainHead",
    "ChainProblem",
    "ChainReport",
    "ClientKind",
    "DemoUser",
    "DisclosureEntry",
    "ErasureDue",
    "MemoryAuditLog",
    "MemoryRelationships",
    "MissingAccessRule",
    "MunicipalityCode",
    "NotFound",
    "Period",
    "PermissionDenied",
    "Policy",
    "PostgresAuditLog",
    "Principal",
    "ProcessingPurpose",
    "PurposeRequired",
    "Relation",
    "Relations",
    "Relationship",
    "RelationshipSource",
    "RetainedRecord",
    "RetentionClass",
    "RetentionPolicy",
    "RetentionSettings",
    "Role",
    "RouteRule",
    "Rule",
    "SecurityError",
    "SpecialReasonRequired",
    "StoredAccess",
    "StoredDisclosure",
    "StrictModel",
    "SuppressedTable",
    "TenantCode",
    "TokenVerifier",
    "UnknownRetentionClass",
    "Visibility",
    "audit_router",
    "authorize",
    "claimable_purposes",
    "coming_of_age",
    "county_of_tenant",
    "county_tenant",
    "demo_user",
    "demo_user_for_role",
    "dev_jwks",
    "due_for_erasure",
    "ensure_dev_keys",
    "guardianship",
    "install_audit_schema",
    "install_security",
    "is_small_count",
    "log_window",
    "mentorship",
    "mint_dev_token",
    "principal_from_claims",
    "relations_of",
    "render_access_matrix",
    "require_route_rules",
    "route_rules",
    "service_day",
    "suppress",
    "suppress_counts",
    "usual_purpose",
]
