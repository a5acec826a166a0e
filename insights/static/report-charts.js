// Draws the support report's charts with Chart.js (window.Chart, the UMD build).
// The data come from the page's <script type="application/json" id="report-data">:
// { canvasId: {type, labels, datasets: [{label, data, color}], stacked?, horizontal?} }.
(function () {
  "use strict";
  var block = document.getElementById("report-data");
  if (!block || typeof window.Chart === "undefined") {
    return;
  }
  var specs = JSON.parse(block.textContent);
  Object.keys(specs).forEach(function (id) {
    var canvas = document.getElementById(id);
    if (!canvas) {
      return;
    }
    var spec = specs[id];
    new window.Chart(canvas, {
      type: spec.type,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (d) {
          return {label: d.label, data: d.data, backgroundColor: d.color, borderColor: d.color, fill: false};
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        indexAxis: spec.horizontal ? "y" : "x",
        scales: {x: {stacked: !!spec.stacked}, y: {stacked: !!spec.stacked, beginAtZero: true}},
        plugins: {legend: {position: "bottom"}}
      }
    });
  });
})();
