"""Test helpers for services: development tokens per role, and the role x endpoint access matrix.

    async def test_every_endpoint_has_the_declared_access(tmp_path):
        app = create_app(settings_for_tests(auth=AuthSettings.for_development(tmp_path)))
        await assert_access_matrix(app, token_for=role_token_factory(tmp_path))

The matrix fails for a route without a rule, and checks for every route and every role: no token -> 401;
a role the rule does not name -> 403; a role it names, stating a purpose it may claim -> neither 401 nor
403 (nor 422 for the purpose, nor a 5xx); and, for personal-data routes, a named role without `X-Purpose`
-> 422.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from starlette.convertors import FloatConvertor, IntegerConvertor, UUIDConvertor

from rinnalla_security.demo_users import demo_user_for_role
from rinnalla_security.devtokens import mint_dev_token
from rinnalla_security.processing_purposes import claimable_purposes
from rinnalla_security.purpose import PURPOSE_HEADER
from rinnalla_security.roles import Role
from rinnalla_security.routes import DEFAULT_PUBLIC_PATHS, RouteRule, require_route_rules
from rinnalla_security.rules import Rule
from rinnalla_security.settings import DEV_AUDIENCE, DEV_ISSUER, DevAlgorithm


def role_token_factory(
    key_dir: Path,
    *,
    algorithm: DevAlgorithm = "ES256",
    issuer: str = DEV_ISSUER,
    audience: str = DEV_AUDIENCE,
) -> Callable[[Role], str]:
    """Tokens for the catalogue's demo user of each role, signed with the development key in `key_dir`."""

    @functools.cache
    def token_for(role: Role) -> str:
        return mint_dev_token(
            demo_user_for_role(role), key_dir=key_dir, algorithm=algorithm, issuer=issuer, audience=audience
        )

    return token_for


@dataclass(frozen=True)
class MatrixMismatch:
    endpoint: str
    caller: str
    expected: str
    status: int
    body: str

    def __str__(self) -> str:
        return f"{self.endpoint} as {self.caller}: expected {self.expected}, got {self.status} {self.body[:200]}"


def _url(entry: RouteRule, path_values: Mapping[str, str]) -> str:
    url = entry.path
    for name, convertor in entry.param_convertors.items():
        if name in path_values:
            value = path_values[name]
        elif isinstance(convertor, IntegerConvertor | FloatConvertor):
            value = "1"
        elif isinstance(convertor, UUIDConvertor):
            value = "00000000-0000-4000-8000-000000000000"
        else:
            value = f"matrix-{name}"
        url = url.replace("{" + name + "}", value)
    return url


async def check_access_matrix(
    app: FastAPI,
    *,
    token_for: Callable[[Role], str],
    roles: Iterable[Role] = tuple(Role),
    path_values: Mapping[str, str] | None = None,
    public_paths: Iterable[str] = DEFAULT_PUBLIC_PATHS,
    allow_server_errors: bool = False,
    base_url: str = "http://testserver",
) -> list[MatrixMismatch]:
    """Call every declared route as nobody and as every role; return where the answer broke the rule."""
    entries = [e for e in require_route_rules(app, public_paths=public_paths) if e.rule is not None and not e.public]
    values = dict(path_values or {})
    mismatches: list[MatrixMismatch] = []
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:

        async def call(entry: RouteRule, headers: dict[str, str]) -> httpx.Response:
            return await client.request(entry.method, _url(entry, values), headers=headers)

        for entry in entries:
            rule = entry.rule
            assert rule is not None
            response = await call(entry, {})
            if response.status_code != 401:
                mismatches.append(MatrixMismatch(entry.label, "anonymous", "401", response.status_code, response.text))
            for role in roles:
                auth = {"Authorization": f"Bearer {token_for(role)}"}
                purpose = _purpose_for(rule, role)
                response = await call(entry, {**auth, PURPOSE_HEADER: purpose} if purpose else auth)
                status = response.status_code
                if not rule.allows(role):
                    if status != 403:
                        mismatches.append(MatrixMismatch(entry.label, role.value, "403", status, response.text))
                    continue
                refused_purpose = status == 422 and PURPOSE_HEADER in response.text
                if status in (401, 403) or refused_purpose or (status >= 500 and not allow_server_errors):
                    mismatches.append(
                        MatrixMismatch(
                            entry.label, role.value, "allowed (not 401/403/5xx, purpose accepted)", status,
                            response.text,
                        )
                    )
                if rule.personal_data and rule.default_purpose is None:
                    response = await call(entry, auth)
                    if response.status_code != 422:
                        mismatches.append(
                            MatrixMismatch(
                                entry.label, f"{role.value} without {PURPOSE_HEADER}", "422", response.status_code,
                                response.text,
                            )
                        )
    return mismatches


def _purpose_for(rule: Rule, role: Role) -> str | None:
    """A purpose the role may state on this route (the first in name order), or None where it needs none."""
    if not rule.personal_data:
        return None
    usable = sorted(claimable_purposes({role}) & rule.accepted_purposes())
    return usable[0] if usable else None


async def assert_access_matrix(app: FastAPI, **options: Any) -> None:
    """`check_access_matrix`, failing the test with every mismatch listed."""
    mismatches = await check_access_matrix(app, **options)
    if mismatches:
        listed = "\n  ".join(str(m) for m in mismatches)
        raise AssertionError(f"{len(mismatches)} access-matrix mismatches:\n  {listed}")
