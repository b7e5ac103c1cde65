"""Rinnalla security: authentication, authorisation, access and disclosure logging, hostile-input limits
and retention rules shared by every service.

    app = FastAPI()
    install_security(app, service="enrollment", settings=AuthSettings(), audit_log=PostgresAuditLog(pool, ...))
    app.include_router(audit_router())
"""

from rinnalla_security.access import Access
from rinnalla_security.audit.api import ChainReportView, audit_router, chain_report_view
from rinnalla_security.audit.chain import ChainHead, ChainProblem, ChainReport
from rinnalla_security.audit.checkpoints import (
    AnchorSet,
    BadCheckpoint,
    ChainAnchors,
    Checkpoint,
    derive_chain_key,
    derive_signing_key,
    new_signing_key,
    parse_signing_key,
    parse_verify_key,
    public_key_text,
    sign_checkpoint,
    signing_key_text,
    verify_checkpoint,
)
from rinnalla_security.audit.entries import AccessEntry, DisclosureEntry, StoredAccess, StoredDisclosure
from rinnalla_security.audit.log import AuditLog, LogName
from rinnalla_security.audit.memory import MemoryAuditLog
from rinnalla_security.audit.postgres import PostgresAuditLog
from rinnalla_security.audit.schema import (
    AUDIT_DDL,
    AUDIT_OWNER,
    audit_install_sql,
    audit_owner_sql,
    install_audit_schema,
)
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
from rinnalla_security.principal import ClientKind, MunicipalityCode, Principal
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
    ACCOUNTING_LEDGER,
    ACCOUNTING_RECORD,
    ErasureDue,
    Period,
    RetainedRecord,
    RetentionClass,
    RetentionPolicy,
    RetentionSettings,
    UnknownRetentionClass,
    accounting_clock_start,
    due_for_erasure,
)
from rinnalla_security.roles import ALL_ROLES, TENANT_WIDE_ROLES, Role
from rinnalla_security.routes import RouteRule, render_access_matrix, require_route_rules, route_rules
from rinnalla_security.rules import AccessKind, Action, Rule
from rinnalla_security.settings import DEV_AUDIENCE, DEV_ISSUER, AuthSettings
from rinnalla_security.tokens import TokenVerifier

__all__ = [
    "ACCOUNTING_LEDGER",
    "ACCOUNTING_RECORD",
    "ALL_ROLES",
    "AUDIT_DDL",
    "AUDIT_OWNER",
    "DEMO_RELATIONSHIPS",
    "DEMO_USERS",
    "DEV_AUDIENCE",
    "DEV_ISSUER",
    "PURPOSE_HEADER",
    "ROLE_PURPOSES",
    "TENANT_WIDE_ROLES",
    "Access",
    "AccessEntry",
    "AccessKind",
    "Action",
    "AnchorSet",
    "AuditLog",
    "AuthSettings",
    "AuthenticationFailed",
    "AuthenticationUnavailable",
    "Authorize",
    "BadCheckpoint",
    "ChainAnchors",
    "ChainHead",
    "ChainProblem",
    "ChainReport",
    "ChainReportView",
    "Checkpoint",
    "ClientKind",
    "DemoUser",
    "DisclosureEntry",
    "ErasureDue",
    "LogName",
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
    "TokenVerifier",
    "UnknownRetentionClass",
    "Visibility",
    "accounting_clock_start",
    "audit_install_sql",
    "audit_owner_sql",
    "audit_router",
    "authorize",
    "chain_report_view",
    "claimable_purposes",
    "coming_of_age",
    "demo_user",
    "demo_user_for_role",
    "derive_chain_key",
    "derive_signing_key",
    "dev_jwks",
    "due_for_erasure",
    "ensure_dev_keys",
    "guardianship",
    "install_audit_schema",
    "install_security",
    "log_window",
    "mentorship",
    "mint_dev_token",
    "new_signing_key",
    "parse_signing_key",
    "parse_verify_key",
    "principal_from_claims",
    "public_key_text",
    "relations_of",
    "render_access_matrix",
    "require_route_rules",
    "route_rules",
    "service_day",
    "sign_checkpoint",
    "signing_key_text",
    "usual_purpose",
    "verify_checkpoint",
]
