"""The recruitment chart: the same data gives the same bytes, and the SVG is well-formed and labelled."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trial.monitoring.charts import LineChart, axis_scale, render_line_chart

SVG = "{http://www.w3.org/2000/svg}"


def _chart(values: tuple[int, ...], target: int | None = 100) -> LineChart:
    labels = tuple(f"2014-{m:02d}" for m in range(1, len(values) + 1))
    return LineChart("Bergen: participants randomised, cumulative", "4 randomised by 2014-09-30 <& more>",
                     labels, values, target, f"Target {target}")


def test_the_same_data_gives_the_same_bytes() -> None:
    first = render_line_chart(_chart((0, 3, 3, 4)), chart_id="c-1", standalone=True)
    again = render_line_chart(_chart((0, 3, 3, 4)), chart_id="c-1", standalone=True)
    assert first == again
    assert render_line_chart(_chart((0, 3, 3, 5)), chart_id="c-1", standalone=True) != first


def test_the_standalone_chart_is_an_accessible_svg_document() -> None:
    root = ET.fromstring(render_line_chart(_chart((0, 3, 3, 4)), chart_id="c-1", standalone=True).encode())
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.get("aria-labelledby") == "c-1-title c-1-desc"
    assert root.find(f"{SVG}title").get("id") == "c-1-title"
    assert root.find(f"{SVG}desc").text == "4 randomised by 2014-09-30 <& more>"   # escaped, and read back
    assert root.find(f".//{SVG}script") is None and "style" not in ET.tostring(root).decode()
    points = root.find(f".//{SVG}polyline").get("points").split()
    assert len(points) == 4 and len(root.findall(f".//{SVG}circle")) == 4
    assert root.find(f".//{SVG}line[@stroke-dasharray]") is not None      # the target, dashed


def test_the_inline_chart_has_no_namespace_url_or_declaration() -> None:
    markup = render_line_chart(_chart((1,), target=None), chart_id="c-2")
    assert markup.startswith("<svg ") and "http" not in markup
    root = ET.fromstring(markup)
    assert root.find("title").text.startswith("Bergen") and root.find(".//line[@stroke-dasharray]") is None


@given(st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=60),
       st.one_of(st.none(), st.integers(min_value=1, max_value=5000)))
def test_any_series_renders_well_formed_inside_the_frame(values: list[int], target: int | None) -> None:
    cumulative = tuple(sorted(values))
    root = ET.fromstring(render_line_chart(_chart(cumulative, target), chart_id="c-3", standalone=True))
    for point in root.find(f".//{SVG}polyline").get("points").split():
        x, y = map(float, point.split(","))
        assert 0 <= x <= 360 and 0 <= y <= 220


@pytest.mark.parametrize(("highest", "expected"), [(1, (1, 1)), (7, (2, 8)), (100, (20, 100)),
                                                   (229, (50, 250)), (600, (200, 600)), (4999, (1000, 5000))])
def test_the_axis_uses_round_steps(highest: int, expected: tuple[int, int]) -> None:
    assert axis_scale(highest) == expected


def test_a_chart_id_must_be_safe_and_values_must_match_labels() -> None:
    with pytest.raises(ValueError, match="chart id"):
        render_line_chart(_chart((1,)), chart_id='x" onload="y')
    with pytest.raises(ValueError, match="one value per x label"):
        LineChart("t", "d", ("2014-01",), (1, 2))
