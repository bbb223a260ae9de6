// Draws each widget's plotly figure from its JSON block; PNG download without any server.
(function () {
  "use strict";
  // Printing (or saving as PDF) shows every chart's data table: closed ones open for it.
  // A chart drawn wider than an A4 page (180 mm of text width) is redrawn at that width,
  // and back at its own width afterwards.
  var PRINT_WIDTH = 680;
  var opened = [];
  var narrowed = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.chart-data:not([open])").forEach(function (d) {
      d.open = true;
      opened.push(d);
    });
    if (!window.Plotly) { return; }
    document.querySelectorAll(".js-plotly-plot").forEach(function (el) {
      if (el.clientWidth > PRINT_WIDTH) {
        Plotly.relayout(el, { width: PRINT_WIDTH });
        narrowed.push(el);
      }
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
    narrowed.forEach(function (el) { Plotly.relayout(el, { width: null, autosize: true }); });
    narrowed = [];
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  if (!window.Plotly) { return; }
  // Offline: plotly.js would fetch a world map from its CDN for every geo subplot. Our maps
  // bring their own GeoJSON, so an empty world topology is all it needs.
  window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} };
  window.PlotlyGeoAssets.topojson = window.PlotlyGeoAssets.topojson || {};
  window.PlotlyGeoAssets.topojson.world_110m = window.PlotlyGeoAssets.topojson.world_110m ||
    { type: "Topology", objects: {}, arcs: [] };
  document.querySelectorAll("[data-figure]").forEach(function (el) {
    var source = document.getElementById(el.dataset.figure);
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    Plotly.newPlot(el, figure.data, figure.layout, {
      responsive: true,
      displaylogo: false,
      // The tool bar only where zooming helps (maps); every chart has its PNG button and
      // data table beside it, and no title or legend can run under a bar that is not there.
      displayModeBar: figure.layout.geo ? "hover" : false,
      modeBarButtonsToRemove: ["select2d", "lasso2d"],
      toImageButtonOptions: { format: "png", filename: el.dataset.filename || "grafik", scale: 2 }
    });
  });
  document.querySelectorAll("[data-png]").forEach(function (button) {
    button.addEventListener("click", function () {
      var el = document.getElementById(button.dataset.png);
      if (el) {
        Plotly.downloadImage(el, { format: "png", filename: el.dataset.filename || "grafik", scale: 2 });
      }
    });
  });
})();
