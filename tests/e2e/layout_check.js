// Layout faults of the plotly charts on a page, as rendered: text boxes of ticks, axis and
// colour-bar titles, legends and annotations that overlap each other or run out of their
// chart, and labels cut with "…". Returns a list of faults (empty: none).
// Also: a page wider than the window (a table that does not scroll in its container).
return (function () {
  "use strict";
  var SELECTOR = [
    ".xtick text", ".ytick text", "text.xtitle", "text.ytitle", "text.gtitle",
    "text.legendtext", "text.legendtitletext", ".cbtitle text", ".cbaxis .tick text",
    ".colorbar .tick text", "g.annotation text.annotation-text", ".slicetext"
  ].join(",");
  var faults = [];
  function visible(el, r) {
    var style = window.getComputedStyle(el);
    return r.width > 0 && r.height > 0 && style.display !== "none" &&
      style.visibility !== "hidden" && Number(style.opacity || 1) > 0 &&
      (el.textContent || "").trim() !== "";
  }
  function overlap(a, b) {
    var w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    var h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    return w > 1 && h > 1;
  }
  document.querySelectorAll(".js-plotly-plot").forEach(function (plot) {
    var chart = plot.id || "chart";
    var box = plot.getBoundingClientRect();
    var widget = plot.closest(".widget, .embed-widget") || plot.parentElement;
    var outer = widget.getBoundingClientRect();
    if (box.right > outer.right + 1 || box.left < outer.left - 1) {
      faults.push({chart: chart, fault: "chart wider than its widget"});
    }
    // The drawing stays inside its box: an SVG taller than the chart's box would cover the
    // caption and table below it (as on paper once the box lost its height).
    plot.querySelectorAll("svg.main-svg").forEach(function (svg) {
      var r = svg.getBoundingClientRect();
      if (r.bottom > box.bottom + 1 || r.right > box.right + 1) {
        faults.push({chart: chart, fault: "drawing outside its box",
                     svg: [Math.round(r.width), Math.round(r.height)],
                     box: [Math.round(box.width), Math.round(box.height)]});
      }
    });
    var seen = new Set();
    var items = [];
    plot.querySelectorAll(SELECTOR).forEach(function (el) {
      if (seen.has(el)) { return; }
      seen.add(el);
      var r = el.getBoundingClientRect();
      if (!visible(el, r)) { return; }
      items.push({el: el, r: r, text: el.textContent.trim(),
                  kind: el.getAttribute("class") || el.parentNode.getAttribute("class") || ""});
    });
    items.forEach(function (item) {
      var r = item.r;
      if (item.text.indexOf("\u2026") !== -1) {
        faults.push({chart: chart, fault: "truncated", text: item.text});
      }
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 ||
          r.bottom > box.bottom + 1) {
        faults.push({chart: chart, fault: "outside the chart", text: item.text, kind: item.kind});
      }
    });
    for (var i = 0; i < items.length; i++) {
      for (var j = i + 1; j < items.length; j++) {
        if (items[i].el.contains(items[j].el) || items[j].el.contains(items[i].el)) { continue; }
        if (overlap(items[i].r, items[j].r)) {
          faults.push({chart: chart, fault: "overlap", a: items[i].text, b: items[j].text,
                       kinds: [items[i].kind, items[j].kind]});
        }
      }
    }
    // Texts against the mode bar (the toolbar at the top right), shown while hovering.
    var bar = plot.querySelector(".modebar-container .modebar");
    if (bar) {
      var b = bar.getBoundingClientRect();
      items.forEach(function (item) {
        if (/cbtitle|legendtitle|gtitle/.test(item.kind) && overlap(item.r, b)) {
          faults.push({chart: chart, fault: "under the toolbar", text: item.text});
        }
      });
    }
  });
  var page = document.documentElement;
  if (page.scrollWidth > page.clientWidth + 1) {
    faults.push({chart: "page", fault: "page wider than the window",
                 width: page.scrollWidth, window: page.clientWidth});
  }
  return faults;
})();
