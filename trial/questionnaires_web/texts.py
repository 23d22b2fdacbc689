"""The deployment's licensed instrument wording: read once per app, checked against the definitions.

``load_instrument_texts(app)`` reads ``INSTRUMENT_TEXT_DIR`` (docs/instrument-wording.md) and
raises ``instruments.WordingPackError`` listing every mismatch, so calling it from ``create_app``
refuses a bad pack at start-up. Without that call the packs are read on the first questionnaire
page instead, and a bad pack gives an "unavailable" page (and the full list in the log) rather
than wording shown against the wrong scores.
"""
from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, current_app

import instruments
from instruments import Instrument, WordingCatalog

EXTENSION = "trial.instrument_texts"


def load_instrument_texts(app: Flask, trial_instruments: Iterable[Instrument] = ()) -> WordingCatalog:
    """Read and check the wording packs (none when INSTRUMENT_TEXT_DIR is unset); cache them on the app.

    ``trial_instruments``: a trial's own instruments that have packs too (built-ins are always known)."""
    folder = app.config.get("INSTRUMENT_TEXT_DIR")
    catalog = WordingCatalog()
    if folder:
        catalog = instruments.load_wording_packs(folder, instruments.lookup(trial_instruments))
    app.extensions[EXTENSION] = catalog
    return catalog


def instrument_texts() -> WordingCatalog:
    """The current app's wording packs, read on first use if create_app did not read them."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy's object
    catalog: WordingCatalog | None = app.extensions.get(EXTENSION)
    return catalog if catalog is not None else load_instrument_texts(app)
