"""The result of a passed access check: who, under which rule, for which purpose, and a one-line way to
write the access (or disclosure) to the audit log from inside the endpoint."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rinnalla_security.audit.entries import AccessEntry, DisclosureEntry
from rinnalla_security.audit.log import AuditLog
from rinnalla_security.errors import NotFound
from rinnalla_security.principal import Principal
from rinnalla_security.rules import Rule


@dataclass
class _Progress:
    logged: bool = False


@dataclass(frozen=True)
class Access:
    principal: Principal
    rule: Rule
    purpose: str | None
    request_id: str
    endpoint: str
    audit_log: AuditLog | None
    _progress: _Progress = field(default_factory=_Progress, repr=False, compare=False)

    @property
    def logged(self) -> bool:
        """Whether this request has written its access-log entries (personal-data routes must)."""
        return self._progress.logged

    def ensure_tenant(self, municipality_code: str) -> None:
        """Another tenant's record answers 404, so a refusal never confirms the record exists."""
        if not self.principal.in_tenant(municipality_code):
            raise NotFound()

    def ensure(self, visible: bool) -> None:
        """Raise 404 unless `visible`, e.g. `access.ensure(visibility.can_see_child(child, team_id=t))`."""
        if not visible:
            raise NotFound()

    def _log(self) -> AuditLog:
        if not self.rule.personal_data:
            raise RuntimeError(
                f"{self.endpoint} records personal-data access but its rule is not personal_data=True; "
                "declare it so the caller must state a purpose"
            )
        if self.audit_log is None:
            raise RuntimeError("no audit log configured: pass audit_log to install_security")
        return self.audit_log

    def _tenants(self, tenant: str | None) -> tuple[str, ...]:
        return (tenant,) if tenant else tuple(sorted(self.principal.tenants))

    def _actor(self) -> dict[str, Any]:
        p = self.principal
        return {
            "request_id": self.request_id,
            "actor_id": p.subject,
            "actor_name": p.name,
            "actor_roles": tuple(sorted(role.value for role in p.roles)),
            "actor_organisation": p.organisation_id,
        }

    async def record(
        self,
        subject_id: str,
        *,
        subject_kind: str | None = None,
        tenant: str | None = None,
        purpose: str | None = None,
        conn: Any = None,
    ) -> None:
        """Log this request's access to one subject's data. Call it after the tenant and relationship checks
        passed and before the data leaves; pass `conn` to log inside your own transaction. `purpose`
        overrides the request's stated purpose (e.g. to add a special reason)."""
        await self.record_many([subject_id], subject_kind=subject_kind, tenant=tenant, purpose=purpose, conn=conn)

    async def record_many(
        self,
        subject_ids: Iterable[str],
        *,
        subject_kind: str | None = None,
        tenant: str | None = None,
        purpose: str | None = None,
        conn: Any = None,
    ) -> None:
        """Log access to several subjects at once (list endpoints); an empty list records that none were."""
        log = self._log()
        purpose = purpose or self.purpose
        assert purpose is not None  # personal-data rules always resolve a purpose
        entries = [
            AccessEntry(
                **self._actor(),
                client_kind=self.principal.client_kind.value,
                tenants=self._tenants(tenant),
                subject_id=subject_id,
                subject_kind=subject_kind or self.rule.subject_kind,
                purpose=purpose,
                action=self.rule.action.name,
                access_kind=self.rule.action.kind.value,
                endpoint=self.endpoint,
            )
            for subject_id in dict.fromkeys(subject_ids)
        ]
        if entries:
            await log.record_accesses(entries, conn=conn)
        self._progress.logged = True

    async def record_disclosure(
        self,
        subject_id: str,
        *,
        recipient_organisation: str,
        disclosed: str,
        consent_id: str | None = None,
        legal_basis: str | None = None,
        subject_kind: str | None = None,
        tenant: str | None = None,
        conn: Any = None,
    ) -> None:
        """Log that the subject's data left the controller: to whom, what, and under which consent or law."""
        log = self._log()
        assert self.purpose is not None
        entry = DisclosureEntry(
            **self._actor(),
            tenants=self._tenants(tenant),
            subject_id=subject_id,
            subject_kind=subject_kind or self.rule.subject_kind,
            purpose=self.purpose,
            recipient_organisation=recipient_organisation,
            disclosed=disclosed,
            consent_id=consent_id,
            legal_basis=legal_basis,
        )
        await log.record_disclosures([entry], conn=conn)
        self._progress.logged = True
