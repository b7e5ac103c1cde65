"""How a Rinnalla process logs in to NATS: its inbox, its credentials and TLS, from the settings.

Every NATS connection of a service passes these to `nats.connect`. With none of the RINNALLA_NATS_USER /
_TLS_* variables set (the dev stack) only the inbox prefix applies, and the connection is as before.
"""

from __future__ import annotations

import ssl
from typing import Any

from rinnalla_runtime.settings import RuntimeSettings


def inbox_prefix(service: str) -> str:
    """Replies, consumer deliveries and publish acknowledgements for `service` arrive under this prefix;
    the deployed NATS config lets each service's user subscribe to its own prefix only."""
    return f"_INBOX.{service}"


def tls_context(settings: RuntimeSettings) -> ssl.SSLContext | None:
    """A client TLS context trusting RINNALLA_NATS_TLS_CA (else the system's CAs) and presenting the client
    certificate when one is set; None when no TLS variable is set."""
    if settings.nats_tls_ca is None and settings.nats_tls_cert is None:
        return None
    cafile = str(settings.nats_tls_ca) if settings.nats_tls_ca is not None else None
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=cafile)
    if settings.nats_tls_cert is not None and settings.nats_tls_key is not None:
        context.load_cert_chain(settings.nats_tls_cert, settings.nats_tls_key)
    return context


def nats_connect_options(settings: RuntimeSettings, service: str | None = None) -> dict[str, Any]:
    """Keyword arguments for `nats.connect`; `service` names the inbox (leave it out for a connection that
    makes no requests and has no subscriptions, such as a readiness probe)."""
    options: dict[str, Any] = {}
    if service is not None:
        options["inbox_prefix"] = inbox_prefix(service)
    if settings.nats_user:
        options["user"] = settings.nats_user
        if settings.nats_password is not None:
            options["password"] = settings.nats_password.get_secret_value()
    context = tls_context(settings)
    if context is not None:
        options["tls"] = context
    return options
