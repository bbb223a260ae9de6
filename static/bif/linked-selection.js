// Linked selection: choosing an area in the table, a chart or the map of a [data-linked]
// block highlights it in all of them. Areas are matched by their code (a table row's
// data-area, a bar's customdata, a map's location). No CDN, no inline script.
(function () {
  "use strict";
  document.querySelectorAll("[data-linked]").forEach(function (block) {
    var selected = null;
    var charts = Array.prototype.slice.call(block.querySelectorAll("[data-linked-chart]"));

    function codesOf(trace) {
      return trace.type === "choropleth" ? (trace.locations || []) : (trace.customdata || []);
    }

    function highlight(code) {
      selected = selected === code ? null : code;
      block.querySelectorAll("tr[data-area]").forEach(function (row) {
        var on = row.dataset.area === selected;
        row.classList.toggle("is-selected", on);
        var button = row.querySelector("[data-select-area]");
        if (button) { button.setAttribute("aria-pressed", on ? "true" : "false"); }
      });
      if (!window.Plotly) { return; }
      charts.forEach(function (el) {
        if (!el.data) { return; }
        var points = el.data.map(function (trace) {
          if (selected === null) { return null; }
          var index = codesOf(trace).indexOf(selected);
          return index < 0 ? [] : [index];
        });
        window.Plotly.restyle(el, { selectedpoints: points });
      });
    }

    block.addEventListener("click", function (event) {
      var button = event.target.closest("[data-select-area]");
      if (button) { highlight(button.dataset.selectArea); }
    });
    charts.forEach(function (el) {
      if (!el.on) { return; }
      el.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        if (!point) { return; }
        var code = point.data.type === "choropleth" ? point.location : point.customdata;
        if (code !== undefined) { highlight(String(code)); }
      });
    });
  });
})();
