// Draws the support report's charts with Chart.js (window.Chart, the UMD build).
// The data come from the page's <script type="application/json" id="report-data">:
// { canvasId: {type, labels, datasets: [{label, data, color}], stacked?, horizontal?,
//              axes: {x, y} (the axes' titles), values? (write each value on its bar or point)} }.
// Every chart has both axes titled and, with `values`, the number of each bar written on it
// (the total above a stacked bar, each part inside it when it fits), so nobody has to read a
// value off a scale.
(function () {
  "use strict";
  var block = document.getElementById("report-data");
  if (!block || typeof window.Chart === "undefined") {
    return;
  }
  var TEXT = "#1b1f24";
  var INSIDE = "#ffffff";

  function format(value) {
    return typeof value === "number" && value % 1 !== 0 ? String(value).replace(".", ",") : String(value);
  }

  // The values written on the bars and points (a plugin of this page's charts only).
  var valueLabels = {
    id: "valueLabels",
    afterDatasetsDraw: function (chart) {
      var spec = chart.config.options.plugins.valueLabels || {};
      if (!spec.enabled) {
        return;
      }
      var ctx = chart.ctx;
      var horizontal = chart.config.options.indexAxis === "y";
      ctx.save();
      ctx.font = "11px system-ui, sans-serif";
      var totals = {};
      chart.data.datasets.forEach(function (dataset, d) {
        var meta = chart.getDatasetMeta(d);
        if (meta.hidden) {
          return;
        }
        meta.data.forEach(function (element, i) {
          var value = Number(dataset.data[i]) || 0;
          totals[i] = (totals[i] || 0) + value;
          if (!value || !spec.stacked) {
            return;
          }
          // A part of a stacked bar: inside it, when the bar is tall enough for the text.
          var size = horizontal ? Math.abs(element.x - element.base) : Math.abs(element.base - element.y);
          if (size < 14) {
            return;
          }
          ctx.fillStyle = INSIDE;
          ctx.textAlign = "center";
          ctx.textBaseline = "middle";
          var x = horizontal ? (element.x + element.base) / 2 : element.x;
          var y = horizontal ? element.y : (element.y + element.base) / 2;
          ctx.fillText(format(value), x, y);
        });
      });
      // The value (or a stack's total) beyond the end of each bar, above each point.
      var last = chart.getDatasetMeta(chart.data.datasets.length - 1);
      var first = chart.getDatasetMeta(0);
      ctx.fillStyle = TEXT;
      (spec.stacked ? last : first).data.forEach(function (element, i) {
        var value = spec.stacked ? totals[i] : Number(chart.data.datasets[0].data[i]);
        if (!value && value !== 0) {
          return;
        }
        if (horizontal) {
          ctx.textAlign = "left";
          ctx.textBaseline = "middle";
          ctx.fillText(format(value), element.x + 4, element.y);
        } else {
          ctx.textAlign = "center";
          ctx.textBaseline = "bottom";
          ctx.fillText(format(value), element.x, element.y - 3);
        }
      });
      ctx.restore();
    }
  };

  function axis(title, stacked, values) {
    return {
      stacked: !!stacked,
      beginAtZero: true,
      grace: values ? "12%" : 0,  // room for the values written beyond the bars
      title: {display: !!title, text: title || "", color: TEXT, font: {weight: "bold"}},
      ticks: {color: TEXT}
    };
  }

  var specs = JSON.parse(block.textContent);
  Object.keys(specs).forEach(function (id) {
    var canvas = document.getElementById(id);
    if (!canvas) {
      return;
    }
    var spec = specs[id];
    var axes = spec.axes || {};
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
        layout: {padding: {top: 16, right: spec.horizontal ? 36 : 8}},
        scales: {
          x: axis(axes.x, spec.stacked, spec.values && spec.horizontal),
          y: axis(axes.y, spec.stacked, spec.values && !spec.horizontal)
        },
        plugins: {
          legend: {position: "bottom", labels: {color: TEXT}},
          valueLabels: {enabled: !!spec.values, stacked: !!spec.stacked}
        }
      },
      plugins: [valueLabels]
    });
  });
})();
