"""The FastAPI application: routes, error mapping, security headers, static files.

Every response carries the security headers below; every :class:`~foedus.errors.FoedusError`
becomes a 4xx with the error's own message (it already says what to do); an oversized query is
refused before any route sees it.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from foedus import __version__
from foedus.errors import (
    ChecksumMismatch,
    DataMissing,
    FoedusError,
    UnknownPlace,
    UnknownState,
    UnknownTreaty,
)
from foedus.treaties import PRIMARY_KINDS

logger = logging.getLogger("foedus.web")

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"

#: Longest query string (bytes) and path the app accepts; real queries are far shorter.
MAX_QUERY_BYTES = 2048
MAX_PATH_BYTES = 512

# No inline scripts or styles anywhere: every script and stylesheet is a file under /static.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
]


def status_for(err: FoedusError) -> int:
    """The HTTP status for a foedus error: 404 for unknown things, 503 for missing data, else 400."""
    if isinstance(err, (DataMissing, ChecksumMismatch)):
        return 503  # the server lacks (verified) data: the user's request was fine
    if isinstance(err, (UnknownState, UnknownTreaty, UnknownPlace)):
        return 404
    return 400


def wants_json(request: Request | Scope) -> bool:
    """Whether to answer an error as JSON (the API and the OpenAPI schema) or as an HTML page."""
    path = request["path"]  # a Request reads its scope's keys too
    return path.startswith("/api/") or path == "/api" or path.endswith(".json")


class Guard:
    """ASGI middleware: refuse oversized requests and add the security headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path_bytes = len(scope.get("raw_path") or scope["path"].encode())
        if len(scope.get("query_string", b"")) > MAX_QUERY_BYTES or path_bytes > MAX_PATH_BYTES:
            limit = (
                f"the query string is longer than {MAX_QUERY_BYTES} bytes"
                if path_bytes <= MAX_PATH_BYTES
                else f"the path is longer than {MAX_PATH_BYTES} bytes"
            )
            response = _error_response(scope, 414, f"{limit}: shorten the request")
            await response(scope, receive, self._with_headers(send))
            return
        started = False
        send_with_headers = self._with_headers(send, _caching(scope))

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send_with_headers(message)

        try:
            await self.app(scope, receive, watched_send)
        except Exception:
            # A bug, not bad input: log it once with its traceback and answer a short 500 here,
            # so the connection stays usable (Starlette would re-raise it to the server).
            logger.exception("unhandled error on %s", scope["path"])
            if started:
                raise
            response = _error_response(
                scope, 500, "internal error: this is a bug in foedus; please report it"
            )
            await response(scope, receive, send_with_headers)

    @staticmethod
    def _with_headers(send: Send, more: tuple[tuple[bytes, bytes], ...] = ()) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in (*SECURITY_HEADERS, *more) if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        return send_with_headers


def _caching(scope: Scope) -> tuple[tuple[bytes, bytes], ...]:
    """Static files named with their content hash (``?v=``) never change: let browsers keep them."""
    if scope["path"].startswith("/static/"):
        if b"v=" in scope.get("query_string", b""):
            return ((b"cache-control", b"public, max-age=31536000, immutable"),)
        return ((b"cache-control", b"no-cache"),)
    return ()


templates = Jinja2Templates(directory=str(TEMPLATES))


def _asset_versions() -> dict[str, str]:
    # Content hashes for cache busting: a new build gives new URLs.
    versions = {}
    for file in STATIC.rglob("*"):
        if file.is_file():
            versions[file.relative_to(STATIC).as_posix()] = hashlib.sha256(
                file.read_bytes()
            ).hexdigest()[:10]
    return versions


_VERSIONS = _asset_versions()


def static_url(name: str) -> str:
    """The URL of a static file, with its content hash as a cache-busting query."""
    version = _VERSIONS.get(name)
    return f"/static/{name}?v={version}" if version else f"/static/{name}"


templates.env.globals["static"] = static_url
templates.env.globals["version"] = __version__
templates.env.globals["primary_kinds"] = PRIMARY_KINDS


def _error_response(scope: Scope | Request, status: int, message: str, **extra: Any) -> Response:
    if wants_json(scope):
        return JSONResponse({"error": message, "status": status, **extra}, status_code=status)
    request = scope if isinstance(scope, Request) else Request(scope)
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message}, status_code=status
    )


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("query", "path", "body"))
        parts.append(f"{where or 'request'}: {error.get('msg', 'invalid value')}")
    return "; ".join(parts) or "invalid request"


def create_app() -> FastAPI:
    """Build the foedus web app (the same one ``foedus serve`` runs)."""
    from foedus.web import api, pages

    app = FastAPI(
        title="foedus",
        version=__version__,
        summary="Military alliance treaties as data: who is bound to fight for whom, since when, and why.",
        description=(
            "The JSON API of foedus. Every route returns the same JSON as the matching CLI command "
            "with `--json`. Bad input gives a 4xx with a message that says what to do."
        ),
        docs_url=None,  # /docs is served by pages.py: Swagger UI needs a CDN and inline scripts
        redoc_url=None,
    )

    @app.exception_handler(FoedusError)
    async def foedus_error(request: Request, exc: FoedusError) -> Response:
        return _error_response(request, status_for(exc), str(exc), type=type(exc).__name__)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return _error_response(request, 422, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if exc.status_code == 404 and message == "Not Found":
            message = (
                f"no page at {request.url.path}: see /docs for the API, or start at the map (/)"
            )
        response = _error_response(request, exc.status_code, message)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(STATIC), follow_symlink=False), name="static")
    app.add_middleware(Guard)
    return app


def html(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """Render ``template`` with ``context`` (used by the page routes)."""
    return templates.TemplateResponse(request, template, context, status_code=status)
