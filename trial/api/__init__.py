"""The JSON API (/api/v1): bearer tokens, JSON in and out, errors as application/problem+json."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from .. import tokens
from ..errors import DomainError
from ..extensions import csrf, db
from ..models import User
from ..policy import Unauthenticated

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def api_user() -> User | None:
    return g.get("api_user")


@bp.before_request
def authenticate() -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    g.api_user = tokens.authenticate(db.session, token.strip()) if scheme.lower() == "bearer" else None
    if g.api_user is not None and db.session.dirty:
        # The token's last-used time is kept even when the request itself only reads or is refused.
        db.session.commit()


def problem(status: int, title: str, detail: str, **extra: object) -> Response:
    response = jsonify({"type": "about:blank", "status": status, "title": title, "detail": detail, **extra})
    response.status_code = status
    response.mimetype = "application/problem+json"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="trial"'
    return response


def is_api_request() -> bool:
    return request.path.startswith(bp.url_prefix or "/api/v1")


def _domain_error(error: DomainError) -> Response:
    db.session.rollback()
    extra: dict[str, object] = {"errors": error.errors} if error.errors else {}
    return problem(error.status, error.title, error.detail, **extra, **error.extra)


def _unauthenticated(_error: Unauthenticated) -> Response:
    return problem(401, "Unauthorized", "send a valid API token as 'Authorization: Bearer <token>'")


def _http_error(error: HTTPException) -> Response:
    return problem(error.code or 500, error.name, error.description or error.name)


bp.register_error_handler(DomainError, _domain_error)
bp.register_error_handler(Unauthenticated, _unauthenticated)
bp.register_error_handler(HTTPException, _http_error)


def init_app(app: Flask) -> None:
    from . import datalocks, enrollment, followups, monitoring, openapi  # noqa: F401 - registers the routes on bp

    app.register_blueprint(bp)
