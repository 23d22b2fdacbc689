"""The screening log's filters and counts, and who may see which site's records."""
from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask

from .conftest import ALL_YES, Coordinator


def _counts(page: str) -> dict[str, int]:
    return {status: int(n) for status, n in re.findall(r'data-status="([a-z-]+)">(\d+)</span>', page)}


def _rows(page: str) -> int:
    return int(re.search(r"Referrals \((\d+)\)", page).group(1))


def _log(coordinator: Coordinator) -> None:
    """Bergen: 3 referrals (one randomized, one declined, one waiting); Oslo: 1 in February."""
    coordinator.randomize(coordinator.ready("bergen", "2014-01-02"))
    declined = coordinator.refer("bergen", "2014-01-06")
    coordinator.post(f"/screenings/{declined}/exclusion", {"category": "declined", "common_reason": "1"})
    coordinator.refer("bergen", "2014-01-10")
    coordinator.refer("oslo", "2014-01-14")


def test_the_log_counts_each_status_against_everyone_referred(coordinator: Coordinator) -> None:
    _log(coordinator)
    page = coordinator.page("/screenings")
    assert _counts(page) == {"screening": 2, "eligible": 0, "consented": 0, "ready": 0, "randomized": 1,
                             "excluded": 1}
    assert page.count("of 4 referred") == 6 and _rows(page) == 4
    assert "BER-0001" in page and "Hordaland (Bergen)" in page and "Oslo (Vinderen)" in page
    assert "Declined" in page and "GP" in page and "1985" in page and "Female" in page


def test_the_log_filters_by_site_status_and_dates(coordinator: Coordinator) -> None:
    _log(coordinator)
    bergen = coordinator.page("/screenings?site=bergen")
    assert _rows(bergen) == 3 and "of 3 referred" in bergen and "Oslo (Vinderen)</td>" not in bergen
    excluded = coordinator.page("/screenings?status=excluded")
    assert _rows(excluded) == 1 and "of 4 referred" in excluded   # the counts keep the whole denominator
    dated = coordinator.page("/screenings?referred_from=2014-01-05&referred_to=2014-01-10")
    assert _rows(dated) == 2 and _counts(dated)["screening"] == 1 and _counts(dated)["excluded"] == 1
    bad = coordinator.get("/screenings?referred_from=soon")
    assert bad.status_code == 200 and 'href="#referred_from"' in bad.get_data(as_text=True)


def test_a_coordinator_neither_sees_nor_opens_other_sites(staff: Callable[..., Coordinator]) -> None:
    both = staff(sites=("bergen", "oslo"))
    in_oslo = both.refer("oslo")
    in_bergen = both.refer("bergen")
    bergen_only = staff(sites=("bergen",), own_client=True)
    page = bergen_only.page("/screenings")
    assert _rows(page) == 1 and in_bergen in page and in_oslo not in page and "Oslo (Vinderen)" not in page
    smuggled = bergen_only.page("/screenings?site=oslo")
    assert in_oslo not in smuggled and 'href="#site"' in smuggled
    assert bergen_only.get(f"/screenings/{in_oslo}").status_code == 403
    assert bergen_only.post(f"/screenings/{in_oslo}/eligibility", ALL_YES).status_code == 403
    assert bergen_only.get(f"/screenings/{in_oslo}/consent").status_code == 403
    assert bergen_only.post(f"/screenings/{in_oslo}/randomize", {"key": "k"}).status_code == 403
    referral = bergen_only.post("/screenings/new", {"site": "oslo", "referred_on": "2014-01-02"})
    assert referral.status_code == 422 and 'href="#site"' in referral.get_data(as_text=True)
    assert "Oslo" not in bergen_only.page("/screenings/new")


def test_a_coordinator_sees_only_participants_of_their_own_sites(staff: Callable[..., Coordinator]) -> None:
    both = staff(sites=("bergen", "oslo"))
    oslo_code = both.randomize(both.ready("oslo"))
    bergen_only = staff(sites=("bergen",), own_client=True)
    assert oslo_code not in bergen_only.page("/participants")
    assert bergen_only.get(f"/participants/{oslo_code}").status_code == 403
    assert bergen_only.get(f"/participants/{oslo_code}/allocation").status_code == 403


def test_the_screening_log_is_in_the_menu_of_coordinators_only(staff: Callable[..., Coordinator]) -> None:
    coordinator = staff()
    home = coordinator.page("/")
    assert 'href="/trials/ips-norway/screenings"' in home and "Screening log" in home
    statistician = staff(role="statistician", sites=(), own_client=True)
    assert "Screening log" not in statistician.page("/")
    assert statistician.get("/screenings").status_code == 403
    assert statistician.get("/participants").status_code == 403


def test_every_form_carries_a_csrf_token_and_refuses_a_post_without_it(trial_app: Flask,
                                                                      coordinator: Coordinator) -> None:
    uid = coordinator.refer()
    trial_app.config["WTF_CSRF_ENABLED"] = True
    assert 'name="csrf_token"' in coordinator.page("/screenings/new")
    page = coordinator.page(f"/screenings/{uid}")
    assert page.count('name="csrf_token"') >= 3   # language switch, eligibility, exclusion
    assert coordinator.post(f"/screenings/{uid}/eligibility", ALL_YES).status_code == 400
    refused = coordinator.post("/screenings/new", {"site": "bergen", "referred_on": "2014-01-02"})
    assert refused.status_code == 400


def test_pages_are_safe_on_a_phone_and_carry_no_inline_script(coordinator: Coordinator) -> None:
    uid = coordinator.refer()
    for path in ("/screenings", "/screenings/new", f"/screenings/{uid}", "/participants"):
        page = coordinator.page(path)
        assert 'name="viewport"' in page and "<script" not in page and "style=" not in page
