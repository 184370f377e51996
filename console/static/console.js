// The console's own script: charts from JSON options, nothing inline, no eval.
// A chart is <div class="chart" data-chart="ID" data-option="{…}"></div>
// (console/templates/_chart.html); it starts on page load and on every htmx swap.
(function () {
  "use strict";

  function startCharts(root) {
    if (typeof echarts === "undefined") return;
    root.querySelectorAll("[data-chart]").forEach(function (holder) {
      if (holder.dataset.started) return;
      if (!holder.dataset.option) return;
      var option = JSON.parse(holder.dataset.option);
      // richText tooltips: the HTML ones inject style attributes a strict CSP refuses.
      option.tooltip = Object.assign({ renderMode: "richText" }, option.tooltip || {});
      var chart = echarts.init(holder, null, {
        renderer: "canvas",
        locale: document.documentElement.lang === "en" ? "EN" : "ZH",
      });
      chart.setOption(option);
      holder.dataset.started = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { startCharts(document); });
  document.addEventListener("htmx:load", function (event) { startCharts(event.target); });

  // Print buttons (a person's paper file): no inline handler under the CSP.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) { event.preventDefault(); window.print(); }
  });
})();
