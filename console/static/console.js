// The console's own script: charts from JSON options, nothing inline, no eval.
// A chart is <div class="chart" data-chart="ID"></div> with its option in
// <script type="application/json" id="ID">…</script>, or in its data-option attribute
// when htmx swaps it in (htmx drops script elements); it starts on every htmx load.
(function () {
  "use strict";

  function startCharts(root) {
    if (typeof echarts === "undefined") return;
    root.querySelectorAll("[data-chart]").forEach(function (holder) {
      if (holder.dataset.started) return;
      var source = holder.dataset.option || (document.getElementById(holder.dataset.chart) || {}).textContent;
      if (!source) return;
      var option = JSON.parse(source);
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
