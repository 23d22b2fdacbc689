"""The OpenAPI 3.1 document for /api/v1, built from the routes the app actually has."""
from __future__ import annotations

from typing import Any

from flask import current_app, jsonify
from flask.typing import ResponseReturnValue

from . import bp

PROBLEM = {"description": "Problem details (RFC 9457)",
           "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
DATE = {"type": "string", "format": "date"}

BODIES: dict[str, dict[str, Any]] = {
    "create_screening": {"required": ["site", "referred_on"], "properties": {
        "site": {"type": "string"}, "referred_on": DATE, "sex": {"enum": ["female", "male", "other"]},
        "birth_year": {"type": "integer"}, "source": {"type": "string"}}},
    "eligibility": {"required": ["answers"], "properties": {
        "answers": {"type": "object", "additionalProperties": {"type": "boolean"}}}},
    "exclusion": {"required": ["category", "reason"], "properties": {
        "category": {"enum": ["not-eligible", "declined", "other"]}, "reason": {"type": "string"}}},
    "consent": {"required": ["version", "consented_on", "name"], "properties": {
        "version": {"type": "string"}, "consented_on": DATE, "name": {"type": "string"},
        "national_id": {"type": "string"}, "email": {"type": "string"}, "phone": {"type": "string"},
        "method": {"enum": ["paper", "electronic"]}, "signature": {"type": "string"},
        "guardian_name": {"type": "string"}, "language": {"enum": ["nb", "en"]},
        "options": {"type": "object", "additionalProperties": {"type": "boolean"}}}},
    "baseline": {"required": ["responses"], "properties": {
        "responses": {"type": "object", "description": "instrument code -> {item code: answer}"},
        "mode": {"enum": ["paper", "device"]},
        "reason": {"type": "string", "description": "required when correcting answers already recorded"}}},
    "randomize_screening": {"properties": {"factors": {"type": "object"}}},
    "create_lock": {"required": ["label"], "properties": {
        "label": {"type": "string", "maxLength": 200}, "reason": {"type": "string", "maxLength": 1000}}},
}
BODIES |= {
    "record_followup_response": {"required": ["timepoint", "instrument", "answers"], "properties": {
        "timepoint": {"type": "string"}, "instrument": {"type": "string"},
        "answers": {"type": "object", "description": "item code -> answer"}, "mode": {"enum": ["paper", "online"]}}},
    "correct_followup_response": {"required": ["answers", "reason"], "properties": {
        "answers": {"type": "object"}, "reason": {"type": "string"}}},
    "withdrawal": {"required": ["scope", "on", "reason"], "properties": {
        "scope": {"enum": ["intervention", "follow-up", "all"]}, "on": DATE, "reason": {"type": "string"}}},
    "participant_event": {"required": ["type", "on"], "properties": {
        "type": {"enum": ["died", "lost-to-follow-up"]}, "on": DATE, "reason": {"type": "string"}}},
    "randomization_date": {"required": ["on", "reason"], "properties": {"on": DATE, "reason": {"type": "string"}}},
}
CREATED = {"create_screening", "randomize_screening", "create_lock", "record_followup_response"}


def _operation(endpoint: str, method: str, rule: str) -> dict[str, Any]:
    name = endpoint.split(".", 1)[1]
    view = current_app.view_functions[endpoint]
    params = [{"name": part[1:-1].split(":")[-1], "in": "path", "required": True, "schema": {"type": "string"}}
              for part in rule.split("/") if part.startswith("<")]
    op: dict[str, Any] = {
        "operationId": name, "summary": (view.__doc__ or name.replace("_", " ")).strip().splitlines()[0],
        "parameters": params,
        "responses": {"201" if name in CREATED else "200": {"description": "OK"}, "400": PROBLEM, "401": PROBLEM,
                      "403": PROBLEM, "404": PROBLEM, "409": PROBLEM, "422": PROBLEM},
    }
    if name == "randomize_screening":
        op["parameters"].append({"name": "Idempotency-Key", "in": "header", "required": False,
                                 "schema": {"type": "string"}})
    if method == "post":
        schema = {"type": "object", **BODIES.get(name, {})}
        op["requestBody"] = {"required": name in BODIES and "required" in BODIES[name],
                             "content": {"application/json": {"schema": schema}}}
    return op


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI document (public: it describes the API, not any data)."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint == "api.openapi":
            continue
        path = rule.rule.removeprefix(bp.url_prefix or "")
        openapi_path = "/".join(f"{{{p[1:-1].split(':')[-1]}}}" if p.startswith("<") else p for p in path.split("/"))
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(openapi_path, {})[method.lower()] = _operation(rule.endpoint, method.lower(), path)
    return jsonify({
        "openapi": "3.1.0",
        "info": {"title": "Trial management API", "version": "1"},
        "servers": [{"url": bp.url_prefix}],
        "security": [{"bearer": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Problem": {"type": "object", "required": ["status", "title", "detail"], "properties": {
                "type": {"type": "string"}, "status": {"type": "integer"}, "title": {"type": "string"},
                "detail": {"type": "string"}, "errors": {"type": "object"}}}},
        },
    })
