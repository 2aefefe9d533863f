// Draws every chart on the page from the JSON that the template put beside it (json_script), so no
// page carries inline script (the Content-Security-Policy allows none) and the data is escaped by Django.
//   <div class="chart" data-chart-source="ID">    one series: {labels: [...], values: [...]}
//   <div class="chart" data-stacked-source="ID">  stacked bars: {labels: [...], series: [{name, values}]}
//     (the fund pages: paid + reserved + available = allocated)
// Loaded with `defer` after ECharts, only on pages that have a chart (web/_chart_scripts.html).
(function () {
  "use strict";
  function sourceOf(element, key) {
    var source = document.getElementById(element.dataset[key]);
    return source ? JSON.parse(source.textContent) : null;
  }
  function draw(element, option) {
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function single(element) {
    var data = sourceOf(element, "chartSource");
    if (!data) { return; }
    draw(element, {
      animation: false,
      color: ["#1d4f91"],
      grid: { left: 48, right: 16, top: 16, bottom: 72 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: data.values, label: { show: true, position: "top" } }]
    });
  }
  function stacked(element) {
    var data = sourceOf(element, "stackedSource");
    if (!data) { return; }
    draw(element, {
      animation: false,
      color: ["#1d4f91", "#e0a800", "#8fb3e0"],
      legend: { top: 0 },
      grid: { left: 90, right: 16, top: 36, bottom: 80 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: 20 } },
      yAxis: { type: "value" },
      series: data.series.map(function (each) {
        return { name: each.name, type: "bar", stack: "money", data: each.values.map(Number) };
      })
    });
  }
  if (!window.echarts) { return; }
  document.querySelectorAll("[data-chart-source]").forEach(single);
  document.querySelectorAll("[data-stacked-source]").forEach(stacked);
})();
