"""`/docs`: Swagger UI served by the service itself, its script and style included.

FastAPI's own `/docs` loads Swagger UI from a CDN; production networks have no internet, and a partner
reading the contract there would see a blank page. The assets come from the `swagger-ui-py` package
(Swagger UI 5, which renders OpenAPI 3.1 documents).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

DOCS_PATH = "/docs"
DOCS_ASSETS_PATH = f"{DOCS_PATH}/assets"


def swagger_ui_assets() -> Path:
    """The folder of Swagger UI's script, style and icons inside the installed package."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the swagger-ui-py package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def install_docs(app: FastAPI, *, openapi_url: str) -> None:
    """Serve Swagger UI on `/docs` and its assets below `/docs/assets`."""
    app.mount(DOCS_ASSETS_PATH, StaticFiles(directory=swagger_ui_assets()), name="docs-assets")

    @app.get(DOCS_PATH, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} API",
            swagger_js_url=f"{DOCS_ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS_PATH}/favicon-32x32.png",
            # No badge fetched from the public validator service.
            swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": False},
        )
