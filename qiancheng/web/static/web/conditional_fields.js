// Fields shown only for one choice of a select, as a progressive enhancement: without JavaScript every field
// is shown (and the service still checks them all). Markup, no inline script (the CSP allows none):
//   <div data-shown-when="id_training_type=occupational,project"> … </div>
// is hidden unless the element with id "id_training_type" has one of the listed values.
(function () {
  "use strict";
  var blocks = document.querySelectorAll("[data-shown-when]");
  function update() {
    blocks.forEach(function (block) {
      var rule = block.getAttribute("data-shown-when").split("=");
      var control = document.getElementById(rule[0]);
      if (!control) { return; }
      block.hidden = rule[1].split(",").indexOf(control.value) === -1;
    });
  }
  var watched = {};
  blocks.forEach(function (block) {
    var id = block.getAttribute("data-shown-when").split("=")[0];
    var control = document.getElementById(id);
    if (control && !watched[id]) { watched[id] = true; control.addEventListener("change", update); }
  });
  update();
})();
