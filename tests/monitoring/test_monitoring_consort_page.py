"""The CONSORT page: the diagram, a table with the same numbers, and downloads, for each role."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from html import unescape

from flask.testing import FlaskClient

from .conftest import AS_OF, History, api_as
from .html import row, tables

PAGE = "/trials/ips-norway/monitoring/consort"
ENROLMENT = f"Enrolment as of {AS_OF}"
ARMS = f"Allocation, follow-up and analysis by arm, as of {AS_OF}"


def _image(page: str) -> str:
    match = re.search(r'<img src="([^"]+)" alt="([^"]+)"', page)
    assert match, "the page shows no diagram"
    assert match.group(2).startswith(f"Counts as of {AS_OF}")
    return unescape(match.group(1))


def test_the_page_shows_the_diagram_and_the_same_numbers_as_a_table(
        history: History, page: Callable[..., FlaskClient], client: FlaskClient) -> None:
    browser = page("unblinded-statistician")
    response = browser.get(f"{PAGE}?as_of={AS_OF}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    svg = browser.get(_image(html))
    assert svg.mimetype == "image/svg+xml"
    root = ET.fromstring(svg.data)
    assert root.get("role") == "img" and root.find("{http://www.w3.org/2000/svg}title") is not None
    # The page's diagram is the API's diagram, for the same role and options.
    api = api_as(client, "unblinded-statistician")
    assert svg.data == api.call("GET", f"/consort.svg?as_of={AS_OF}&labels=2010&lang=en")[2].data
    found = tables(html)
    enrolment = found[ENROLMENT]
    stages = ("Assessed for eligibility (referred)", "Excluded", "Declined to participate",
              "Still in screening", "Randomised")
    assert [row(enrolment, stage)[0] for stage in stages] == ["13", "5", "3", "1", "7"]
    arms = found[ARMS]
    allocated = Counter(history.arms.values())
    assert row(arms, "Allocated") == [str(allocated["ips"]), str(allocated["control"])]
    assert arms[0][1:] == ["Individual Placement and Support", "High-quality usual follow-up"]
    assert sum(map(int, row(arms, "Questionnaire returned"))) == 2     # the first such row is 6 months
    assert row(found["Reasons for exclusion as recorded"], "Insufficient Norwegian") == ["1"]


def test_the_downloads_are_the_apis_files(history: History, page: Callable[..., FlaskClient],
                                          client: FlaskClient) -> None:
    browser = page("unblinded-statistician")
    html = browser.get(f"{PAGE}?as_of={AS_OF}").get_data(as_text=True)
    links = {unescape(h) for h in re.findall(r'<a href="([^"]+)" download>', html)}
    assert len(links) == 4
    api = api_as(client, "unblinded-statistician")
    for link in links:
        response = browser.get(link)
        assert response.status_code == 200, link
        if link.split("?")[0].endswith(".pdf"):
            assert response.data.startswith(b"%PDF")
        elif "registry" in link:
            assert response.get_json() == api.get(f"/consort/registry?as_of={AS_OF}")[1]
        elif link.split("?")[0].endswith(".json"):
            assert response.data == api.call("GET", f"/consort?as_of={AS_OF}")[2].data


def test_the_wording_and_language_of_the_diagram_can_be_chosen(history: History,
                                                               page: Callable[..., FlaskClient]) -> None:
    browser = page("unblinded-statistician", language="nb")
    html = browser.get(f"{PAGE}?as_of={AS_OF}&labels=2025&lang=nb").get_data(as_text=True)
    assert "<h1>CONSORT-flyt</h1>" in html and "Inklusjon per 2014-09-30" in html
    svg = browser.get(_image(html.replace('alt="Tall per', 'alt="Counts as of'))).get_data(as_text=True)
    assert "Randomisert (n=7)" in svg and "for primærutfall" in svg


def test_a_coordinator_sees_one_of_their_sites(history: History, page: Callable[..., FlaskClient]) -> None:
    browser = page("coordinator", ("bergen", "oslo"))
    html = browser.get(f"{PAGE}?as_of={AS_OF}").get_data(as_text=True)
    options = re.findall(r'<option[^>]*value="([^"]*)"', html.split('id="site"')[1].split("</select>")[0])
    assert options == ["oslo", "bergen"]                       # their sites only, in the protocol's order
    assert row(tables(html)[ENROLMENT], "Assessed for eligibility (referred)") == ["4"]   # Oslo's referrals
    bergen = browser.get(f"{PAGE}?as_of={AS_OF}&site=bergen").get_data(as_text=True)
    assert row(tables(bergen)[ENROLMENT], "Assessed for eligibility (referred)") == ["6"]
    assert browser.get(f"{PAGE}?as_of={AS_OF}&site=elverum").status_code == 422
    assert browser.get(f"{PAGE}.svg?as_of={AS_OF}&site=elverum").status_code == 422
    assert browser.get(f"{PAGE}.json?as_of={AS_OF}&site=").status_code == 422


def test_blinded_roles_see_masked_arms_in_the_diagram_and_the_table(history: History,
                                                                    page: Callable[..., FlaskClient]) -> None:
    for role in ("statistician", "admin"):
        browser = page(role)
        html = browser.get(f"{PAGE}?as_of={AS_OF}").get_data(as_text=True)
        assert sorted(tables(html)[ARMS][0][1:]) == ["Arm A", "Arm B"]
        svg = browser.get(_image(html)).get_data(as_text=True)
        for shown in (html, svg):
            assert "Individual Placement" not in shown and "usual follow-up" not in shown


def test_a_bad_query_is_refused_with_the_reason(history: History, page: Callable[..., FlaskClient]) -> None:
    browser = page("unblinded-statistician")
    future = browser.get(f"{PAGE}?as_of=2999-01-01")
    assert future.status_code == 422 and "Choose today or an earlier date." in future.get_data(as_text=True)
    assert browser.get(f"{PAGE}?as_of=yesterday").status_code == 422
    assert browser.get(f"{PAGE}.svg?labels=1999").status_code == 422
    assert browser.get(f"{PAGE}.pdf?lang=de").status_code == 422
