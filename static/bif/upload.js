// Progressive enhancement: drop a file onto the upload form instead of choosing it.
(function () {
  "use strict";
  var form = document.querySelector("[data-dropzone]");
  if (!form) { return; }
  var input = form.querySelector("input[type=file]");
  var zone = form.querySelector("[data-dropzone-target]");
  var label = zone.querySelector(".dropzone-file");
  zone.hidden = false;
  ["dragenter", "dragover"].forEach(function (name) {
    form.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("active"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    form.addEventListener(name, function () { zone.classList.remove("active"); });
  });
  form.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      label.textContent = event.dataTransfer.files[0].name;
    }
  });
  input.addEventListener("change", function () { label.textContent = input.files.length ? input.files[0].name : ""; });
})();
