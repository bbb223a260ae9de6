// Polls the import run's job row and updates the progress bar; reloads when it ends.
(function () {
  "use strict";
  var box = document.querySelector("[data-run-progress]");
  if (!box || box.dataset.finished === "1") { return; }
  var bar = box.querySelector("progress");
  var stage = box.querySelector("[data-run-stage]");
  var text = box.querySelector("[data-run-text]");
  var status = document.querySelector("[data-run-status]");
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (run) {
        bar.value = run.progress;
        bar.textContent = run.progress + " %";
        stage.textContent = run.stage_display;
        text.textContent = run.progress + " %" + (run.rows_per_second ? " · " + Math.round(run.rows_per_second).toLocaleString("de-DE") + " Zeilen/s" : "");
        if (status) { status.textContent = run.status_display; }
        if (run.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
