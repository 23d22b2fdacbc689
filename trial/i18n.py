"""Norwegian bokmål and English: the language is the person's choice, else their browser's, else nb."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, current_app, redirect, request, session
from flask.typing import ResponseReturnValue
from flask_babel import get_locale

from .extensions import babel
from .security import safe_next_url

bp = Blueprint("i18n", __name__)

# One catalogue per feature (trial/translations/nb/LC_MESSAGES/<domain>.po), merged at run time, so
# features can be translated side by side; a missing catalogue simply contributes nothing.
DOMAINS = ("messages", "enrollment", "questionnaires", "followups", "admin", "monitoring", "datalocks")
TRANSLATIONS = str(Path(__file__).resolve().parent / "translations")


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("language")
    if chosen in languages:
        return str(chosen)
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.post("/language")
def choose_language() -> ResponseReturnValue:
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session["language"] = language
    return redirect(safe_next_url(request.form.get("next")))


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, default_domain=";".join(DOMAINS),
                   default_translation_directories=";".join([TRANSLATIONS] * len(DOMAINS)))
    app.jinja_env.globals["get_locale"] = get_locale
    app.register_blueprint(bp)
