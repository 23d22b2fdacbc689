"""Security headers, safe redirects and error pages that never echo personal data."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

# No inline script or style anywhere: every script and stylesheet is a file served by the app itself.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
                           "object-src 'none'")


def safe_next_url(target: str | None, default: str = "/") -> str:
    """Only a path on this site: never another host, scheme, or protocol-relative '//' address."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _error_page(error: HTTPException) -> Response | tuple[str, int]:
    from .api import is_api_request, problem

    if is_api_request():
        return problem(error.code or 500, error.name, error.description or error.name)
    # The page names the status only; the request's data (which may hold personal data) is never shown.
    return render_template("error.html", code=error.code, name=error.name, language_next="/"), error.code or 500


def init_app(app: Flask) -> None:
    app.after_request(_headers)
    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, _error_page)
