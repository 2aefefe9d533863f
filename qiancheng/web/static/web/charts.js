// Draws every bar chart on the page from the JSON that the template put beside it (json_script),
// so no page carries inline script and the data is escaped by Django.
(function () {
  "use strict";
  function draw(element) {
    var source = document.getElementById(element.dataset.chartSource);
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      color: ["#1d4f91"],
      grid: { left: 48, right: 16, top: 16, bottom: 72 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: data.values, label: { show: true, position: "top" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.querySelectorAll("[data-chart-source]").forEach(draw);
})();
