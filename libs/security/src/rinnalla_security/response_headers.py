"""Headers every answer carries, installed by `install_security` outside everything else.

- `Cache-Control: no-store`: answers hold children's and guardians' personal data; no browser, proxy or
  shared cache keeps a copy. Swagger UI's static assets (below `/docs/assets`) hold none and may be cached.
- `X-Content-Type-Options: nosniff`: a browser renders an answer only as the media type it declares, so a
  JSON or CSV answer holding a submitted string can never run as a page or a script.
"""

from __future__ import annotations

from collections.abc import Iterable

from rinnalla_runtime.docs import DOCS_ASSETS_PATH
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CACHEABLE_PREFIXES: tuple[str, ...] = (DOCS_ASSETS_PATH + "/",)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, cacheable_prefixes: Iterable[str] = CACHEABLE_PREFIXES) -> None:
        self.app = app
        self.cacheable_prefixes = tuple(cacheable_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = str(scope.get("path", "")).startswith(self.cacheable_prefixes)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                if not cacheable:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)
