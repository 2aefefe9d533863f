"""Bar charts drawn on the server as inline SVG (qiancheng.web.bar_chart, `{% bar_chart %}`; ADR 0006): no
script and no style attribute, named for a screen reader, each bar with its tooltip and its value written with
separators, the figures again in a data table; a long list of categories lies as horizontal bars."""

from __future__ import annotations

import re
from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from qiancheng.web import bar_chart


def _render(source: str, **context: object) -> str:
    with translation.override("zh-hans"):
        return Template("{% load bar_charts %}" + source).render(Context(context))


def test_a_few_short_categories_stand_as_vertical_bars_with_their_values() -> None:
    html = _render('{% bar_chart data "各月培训人次的柱状图" id="trend-chart" %}',
                   data={"labels": ["1月", "2月", "3月"], "values": [3556, 0, 12000]})
    assert 'id="trend-chart"' in html and 'role="img"' in html and 'aria-label="各月培训人次的柱状图"' in html
    assert 'class="vertical"' in html and 'viewBox="0 0 360 220"' in html
    assert html.count("<rect class=\"series-0\"") == 3
    assert "<title>1月：3,556</title>" in html and ">12,000</text>" in html
    assert "style=" not in html and "<script" not in html
    assert "查看数据表" in html and '<th scope="row">3月</th><td class="num">12,000</td>' in html


def test_many_categories_lie_as_horizontal_bars_a_row_each() -> None:
    labels = [f"第{n}个城市" for n in range(14)]
    html = _render('{% bar_chart data "各市" unit="%" %}', data={"labels": labels, "values": [n * 1.5 for n in range(14)]})
    assert 'class="horizontal"' in html
    height = int(re.search(r'viewBox="0 0 360 (\d+)"', html)[1])
    assert height == 4 + 14 * bar_chart.ROW + bar_chart.AXIS_ROOM
    assert "<title>第3个城市：4.5%</title>" in html


def test_long_labels_are_shortened_on_the_bar_and_whole_in_its_tooltip() -> None:
    label = "人工智能训练师四级中级工南宁市青秀区实训基地"
    html = _render('{% bar_chart data "缺口" %}', data={"labels": [label, "短"], "values": [5, 3]})
    assert 'class="horizontal"' in html and "…</text>" in html and f"<title>{label}</title>" in html


def test_stacked_money_bars_have_a_legend_and_amounts_in_wan_yuan() -> None:
    data = {"labels": ["就业补助资金"], "series": [{"name": "账户净支出", "values": ["2500.00"]},
                                               {"name": "已预留", "values": ["0.00"]},
                                               {"name": "可用", "values": ["97500.00"]}]}
    html = _render('{% stacked_bar_chart data "资金" id="fund-chart" %}', data=data)
    assert 'class="chart-legend"' in html and html.count("<rect class=\"series-") == 6  # 3 swatches, 3 segments
    assert "<title>就业补助资金：可用 9.75万元</title>" in html and ">10.00万元</text>" in html


def test_no_data_says_so_instead_of_an_empty_picture() -> None:
    html = _render('{% bar_chart data "空" %}', data={"labels": [], "values": []})
    assert "<svg" not in html and "暂无可绘制的数据" in html


def test_the_axis_ends_on_a_round_number() -> None:
    assert bar_chart.nice_ceiling(Decimal("3556")) == Decimal("4000") and bar_chart.nice_ceiling(Decimal(0)) == 1
    assert str(bar_chart.nice_ceiling(Decimal("87.5"))) == "100"
    assert bar_chart.number("x") == 0 and bar_chart.number(None) == 0 and bar_chart.number("1.50") == Decimal("1.50")


def test_a_long_list_draws_only_its_largest_bars_and_says_so() -> None:
    labels = [f"班级{n}" for n in range(bar_chart.MAX_BARS + 20)]
    html = _render('{% bar_chart data "各班级" %}', data={"labels": labels, "values": list(range(len(labels)))})
    assert html.count('<g class="bar">') == bar_chart.MAX_BARS
    assert f"<title>班级{len(labels) - 1}：{len(labels) - 1}</title>" in html and "<title>班级0：0</title>" not in html
    assert f"图中为数值最大的{bar_chart.MAX_BARS}项（共{len(labels)}项）" in html
