"""Recruitment and follow-up pages: counts from the records, honest rates, and what each role may see."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from trial.extensions import db
from trial.models import Allocation, Participant, Screening, Site

from .conftest import AS_OF, History, api_as, build_history, sign_in
from .html import charts, column, row, tables, text

RECRUITMENT = "/trials/ips-norway/monitoring/recruitment"
FOLLOW_UP = "/trials/ips-norway/monitoring/follow-up"
CUMULATIVE = "Participants randomised, cumulative, by site"
PERIODS = f"Participants randomised by {AS_OF}, by allocation period"
ALL_ARMS_6M = "6 months, all arms together, by site"
ARM_NAMES = ("Individual Placement and Support", "High-quality usual follow-up")


def _get(browser: FlaskClient, url: str) -> str:
    response = browser.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_recruitment_counts_reconcile_with_the_database(history: History,
                                                        page: Callable[..., FlaskClient]) -> None:
    html = _get(page("unblinded-statistician"), f"{RECRUITMENT}?as_of={AS_OF}")
    found = tables(html)
    last = row(found[CUMULATIVE], AS_OF)
    names = found[CUMULATIVE][0][1:]
    shown = dict(zip(names, map(int, last), strict=True))
    counted = dict(db.session.execute(
        select(Site.name, func.count(Participant.id)).join(Participant)
        .where(Participant.randomized_on <= date.fromisoformat(AS_OF)).group_by(Site.name)).all())
    assert {name: n for name, n in shown.items() if name != "All"} == {
        name: counted.get(name, 0) for name in names if name != "All"}
    assert shown["All"] == db.session.scalar(select(func.count()).select_from(Participant)) == 7
    by_period = dict(((p, arm), n) for p, arm, n in db.session.execute(
        select(Allocation.period, Participant.arm, func.count()).join(Participant)
        .group_by(Allocation.period, Participant.arm)).all())
    periods = found[PERIODS]
    assert periods[0] == ["Period", "Ratio", *ARM_NAMES, "All arms"]
    for period in ("start-up", "main"):
        expected = [str(by_period.get((period, arm), 0)) for arm in ("ips", "control")]
        assert row(periods, period)[1:3] == expected
    excluded = db.session.scalar(select(func.count()).select_from(Screening)
                                 .where(Screening.status == "excluded"))
    reasons = found["Referred but not randomised, by reason"]
    assert row(reasons, "All not included") == [f"{excluded} of 13 (38%)"]
    assert row(reasons, "Declined to participate") == ["3 of 13 (23%)"]
    # The month ends: three at Bergen and one at Oslo in January, Hadeland's two and Bergen's fourth in March.
    january, march = row(found[CUMULATIVE], "2014-01-31"), row(found[CUMULATIVE], "2014-03-31")
    assert dict(zip(names, january, strict=True))["Hordaland (Bergen)"] == "3"
    assert dict(zip(names, march, strict=True))["Hadeland (Oppland)"] == "2"
    assert row(found[CUMULATIVE], "Target")[-1] == "600"        # the trial's target, not the sum of sites'


def test_decliners_are_compared_with_those_randomised(history: History,
                                                      page: Callable[..., FlaskClient]) -> None:
    found = tables(_get(page("statistician"), f"{RECRUITMENT}?as_of={AS_OF}"))
    sex = found["Sex, as recorded at referral"]
    assert row(sex, "Female") == ["1 of 3 (33%)", "3 of 7 (43%)"]
    assert row(sex, "Male") == ["2 of 3 (67%)", "3 of 7 (43%)"]
    assert row(sex, "Other") == ["0 of 3 (0%)", "1 of 7 (14%)"]
    age = found["Age at referral in years"]
    assert row(age, "Median") == ["34", "29"]
    assert row(age, "Interquartile range") == ["29–39", "22.5–41.5"]
    assert row(age, "Birth year missing") == ["1", "1"]


def test_follow_up_rates_pool_numerators_and_denominators(history: History,
                                                          page: Callable[..., FlaskClient]) -> None:
    html = _get(page("unblinded-statistician"), f"{FOLLOW_UP}?as_of={AS_OF}")
    returned = column(tables(html)[ALL_ARMS_6M], "Returned")
    # Sites of different sizes: 1 of 4, 1 of 1 and 0 of 2. Averaging their percentages would say 42 %.
    assert returned == {"Oslo (Vinderen)": "1 of 1 (100%)", "Hadeland (Oppland)": "0 of 2 (0%)",
                        "Hordaland (Bergen)": "1 of 4 (25%)", "All sites shown, pooled": "2 of 7 (29%)"}
    assert "42%" not in html
    words = text(html)
    assert "Questionnaires returned at 6 months: 2 of 7 randomised (29%), as of 2014-09-30." in words
    assert "Window still open, counted separately: 3." in words
    open_windows = column(tables(html)[ALL_ARMS_6M], "Window still open")
    assert open_windows["All sites shown, pooled"] == "3"
    for arm, name in zip(("ips", "control"), ARM_NAMES, strict=True):
        members = [code for code, allocated in history.arms.items() if allocated == arm]
        returned = len(history.returned_6m.intersection(members))
        assert f"6 months, randomised to {name}, by site" in tables(html)
        assert f"returned at 6 months: {returned} of {len(members)} randomised to {name} (" in words


def test_the_chart_is_the_same_for_the_same_data_and_parses_as_xml(history: History,
                                                                   page: Callable[..., FlaskClient]) -> None:
    browser = page("unblinded-statistician")
    first, again = (charts(_get(browser, f"{RECRUITMENT}?as_of={AS_OF}")) for _ in range(2))
    assert first == again and len(first) == 7                      # six sites and all sites together
    for markup in first:
        root = ET.fromstring(markup)
        assert root.get("role") == "img"
        assert [root.find(tag).get("id") for tag in ("title", "desc")] == root.get("aria-labelledby").split()
    assert "Hordaland (Bergen): participants randomised, cumulative" in first[-2]
    assert "4 randomised by 2014-09-30, against a target of 100 (4%)." in first[-2]


@pytest.fixture
def blinded_history(blinded_app: Flask, client: FlaskClient) -> History:
    return build_history(api_as(client, "coordinator", ("bergen", "oslo", "hadeland")))


def test_a_coordinator_of_a_blinded_trial_sees_their_site_without_arms(blinded_history: History,
                                                                       blinded_app: Flask) -> None:
    browser = sign_in(blinded_app, "coordinator", ("bergen",))
    for url in (f"{RECRUITMENT}?as_of={AS_OF}", f"{FOLLOW_UP}?as_of={AS_OF}"):
        html = _get(browser, url)
        for hidden in (*ARM_NAMES, "Arm A", "Arm B", "Oslo", "Hadeland"):
            assert hidden not in html, (url, hidden)
    recruitment = tables(_get(browser, f"{RECRUITMENT}?as_of={AS_OF}"))
    assert recruitment[CUMULATIVE][0] == ["By date", "Hordaland (Bergen)"]
    assert recruitment[PERIODS][0] == ["Period", "Ratio", "All arms"]
    assert row(recruitment[PERIODS], "All periods") == ["4"]
    follow_up = _get(browser, f"{FOLLOW_UP}?as_of={AS_OF}")
    assert "Results by arm are not shown to site staff in a blinded trial." in follow_up
    assert column(tables(follow_up)[ALL_ARMS_6M], "Returned") == {"Hordaland (Bergen)": "1 of 4 (25%)"}
    assert browser.get(f"{RECRUITMENT}?site=oslo").status_code == 422


def test_a_blinded_statistician_sees_masked_arms_but_no_allocations_by_arm(blinded_history: History,
                                                                           blinded_app: Flask) -> None:
    browser = sign_in(blinded_app, "statistician")
    follow_up = _get(browser, f"{FOLLOW_UP}?as_of={AS_OF}")
    assert "6 months, randomised to Arm A, by site" in tables(follow_up)
    recruitment = _get(browser, f"{RECRUITMENT}?as_of={AS_OF}")
    assert tables(recruitment)[PERIODS][0] == ["Period", "Ratio", "All arms"]
    for html in (follow_up, recruitment):
        assert not any(name in html for name in ARM_NAMES)


def test_a_coordinator_pools_their_own_sites_only(history: History, page: Callable[..., FlaskClient]) -> None:
    browser = page("coordinator", ("bergen", "oslo"))
    found = tables(_get(browser, f"{RECRUITMENT}?as_of={AS_OF}"))
    assert found[CUMULATIVE][0] == ["By date", "Oslo (Vinderen)", "Hordaland (Bergen)", "All"]
    assert row(found[CUMULATIVE], "Target")[-1] == "200"          # their two sites' targets
    follow_up = tables(_get(browser, f"{FOLLOW_UP}?as_of={AS_OF}"))
    assert column(follow_up[ALL_ARMS_6M], "Returned")["All sites shown, pooled"] == "2 of 5 (40%)"
    only_oslo = tables(_get(browser, f"{FOLLOW_UP}?as_of={AS_OF}&site=oslo"))
    assert column(only_oslo[ALL_ARMS_6M], "Returned") == {"Oslo (Vinderen)": "1 of 1 (100%)"}


ROLES = [("coordinator", ("bergen",), "Hordaland (Bergen)", 4), ("statistician", (), "All", 7),
         ("unblinded-statistician", (), "All", 7), ("admin", (), "All", 7)]


@pytest.mark.parametrize(("role", "sites", "column_name", "randomised"), ROLES)
def test_every_page_renders_for_every_role_accessibly(history: History, page: Callable[..., FlaskClient],
                                                      role: str, sites: tuple[str, ...], column_name: str,
                                                      randomised: int) -> None:
    browser = page(role, sites)
    cumulative = tables(_get(browser, f"{RECRUITMENT}?as_of={AS_OF}"))[CUMULATIVE]
    assert column(cumulative, column_name)[AS_OF] == str(randomised)
    home = _get(browser, "/trials/ips-norway/")
    for url in ("/monitoring/consort", "/monitoring/recruitment", "/monitoring/follow-up"):
        assert f'href="/trials/ips-norway{url}"' in home                      # in the trial menu
        html = _get(browser, f"/trials/ips-norway{url}?as_of={AS_OF}")
        assert html.count("<table") == html.count("<caption") > 0
        headers = re.findall(r"<th\b[^>]*>", html)
        assert headers and all("scope=" in th for th in headers)
        assert "style=" not in html and "<script" not in html
        assert "http://" not in html and "https://" not in html                # nothing from elsewhere
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), "element ids must be unique"
        for labelled in re.findall(r'aria-labelledby="([^"]+)"', html):
            assert all(part in ids for part in labelled.split())


def test_the_pages_speak_norwegian(history: History, page: Callable[..., FlaskClient]) -> None:
    browser = page("unblinded-statistician", language="nb")
    recruitment = _get(browser, f"{RECRUITMENT}?as_of={AS_OF}")
    assert 'lang="nb"' in recruitment and "<h1>Rekruttering</h1>" in recruitment
    follow_up = text(_get(browser, f"{FOLLOW_UP}?as_of={AS_OF}"))
    assert "Spørreskjemaer besvart ved 6 måneder: 2 av 7 randomiserte (29 %), per 2014-09-30." in follow_up
    assert "22,5–41,5" in text(recruitment)


def test_the_pages_need_a_signed_in_user(trial_app: Flask, client: FlaskClient) -> None:
    for url in (RECRUITMENT, FOLLOW_UP, "/trials/ips-norway/monitoring/consort.svg"):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.location
