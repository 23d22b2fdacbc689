"""The trial management web application."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from . import accounts, admin, api, cli, i18n, logging_setup, main, pages, security
from .config import configure
from .datalocks import bp as datalocks_bp
from .enrollment.views import bp as enrollment_bp
from .extensions import csrf, db, login_manager
from .followups.views import bp as followups_bp
from .monitoring.views import bp as monitoring_bp
from .questionnaires_web import bp as questionnaires_bp

PROJECT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PACKAGED_TEMPLATES = Path(__file__).resolve().parent / "templates"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build an application: configuration, extensions, blueprints and the CLI; no I/O."""
    templates = PACKAGED_TEMPLATES if PACKAGED_TEMPLATES.is_dir() else PROJECT_TEMPLATES
    # Tests (and a deployment that wants it elsewhere) may name the instance folder.
    instance_path = (test_config or {}).get("INSTANCE_PATH")
    app = Flask(__name__, instance_relative_config=True, template_folder=str(templates), instance_path=instance_path)
    app.jinja_env.add_extension("jinja2.ext.do")
    configure(app, test_config)
    logging_setup.init_app(app)
    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    pages.init_app(app)
    app.register_blueprint(accounts.bp)
    api.init_app(app)
    app.register_blueprint(main.bp)
    app.register_blueprint(enrollment_bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(questionnaires_bp)
    app.register_blueprint(datalocks_bp)
    app.register_blueprint(monitoring_bp)
    app.register_blueprint(followups_bp)
    app.cli.add_command(cli.group)
    return app
