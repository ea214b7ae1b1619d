"""The API's interactive docs at `/docs`: Swagger UI (a release that reads OpenAPI 3.1) served from the
installed fastapi-swagger package, not from a CDN, so the page works offline like the rest of newsqa."""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"
SWAGGER_UI = files("fastapi_swagger") / "resources"  # swagger-ui-bundle.js, swagger-ui.css, favicon


def install_docs(app: FastAPI) -> None:
    """Serve `/docs` (over the app's `/openapi.json`) and the Swagger UI files it loads."""
    app.mount(ASSETS, StaticFiles(directory=str(SWAGGER_UI)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="newsqa API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        )
