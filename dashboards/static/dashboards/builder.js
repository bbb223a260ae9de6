// Builder: offers the dimensions of the chosen table as suggestions for both axes.
(function () {
  "use strict";
  var data = document.getElementById("dimension-data");
  var table = document.getElementById("id_table");
  var list = document.getElementById("dimension-names");
  if (!data || !table || !list) { return; }
  var names = JSON.parse(data.textContent);
  function refresh() {
    list.textContent = "";
    (names[table.value] || []).forEach(function (name) {
      var option = document.createElement("option");
      option.value = name;
      list.appendChild(option);
    });
  }
  table.addEventListener("change", refresh);
  refresh();
})();
