from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from prpath.clinic.web.charts import pain_chart


def test_points_run_left_to_right_by_day_whatever_the_order_given() -> None:
    chart = pain_chart([(3, 5), (1, 7), (2, 6)], baseline=6)

    assert [p.day for p in chart.points] == [1, 2, 3]
    assert [p.x for p in chart.points] == sorted(p.x for p in chart.points)


def test_more_pain_is_drawn_higher_and_the_baseline_sits_between() -> None:
    chart = pain_chart([(1, 8), (2, 2)], baseline=5)

    high, low = chart.points
    assert high.y < low.y  # SVG's y grows downwards
    assert chart.baseline_y is not None
    assert high.y < chart.baseline_y < low.y
    assert chart.description == "Pain from 8 on day 1 to 2 on day 2; 5 before the injection."


def test_no_check_ins_draws_an_empty_chart_that_says_so() -> None:
    chart = pain_chart([], baseline=None)

    assert chart.points == ()
    assert chart.baseline_y is None
    assert chart.description == "No check-ins yet."


@given(st.lists(st.tuples(st.integers(0, 400), st.integers(0, 10)), max_size=60), st.none() | st.integers(0, 10))
def test_every_point_lies_inside_the_plot(readings: list[tuple[int, int]], baseline: int | None) -> None:
    chart = pain_chart(readings, baseline)

    for point in chart.points:
        assert chart.left <= point.x <= chart.right
        assert chart.top <= point.y <= chart.bottom
