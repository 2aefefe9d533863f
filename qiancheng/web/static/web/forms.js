// Small behaviours of the forms, declared in the markup so that no page carries inline script (the
// Content-Security-Policy allows none). Every one is an extra: without JavaScript the forms still work.
//   <form data-submit-once>             the submit button is disabled once pressed (money is moved once anyway)
//   <select data-autosubmit>            the form is sent when the choice changes (a <noscript> button does it otherwise)
//   <input type=checkbox data-select-all="SELECTOR">   ticks or clears every box that SELECTOR finds
//   <form data-follow-selection>        the count and total of the ticked boxes (data-amount, in 元) are shown
//                                       in [data-testid=selected-count] and [data-testid=selected-total]
(function () {
  "use strict";
  document.querySelectorAll("form[data-submit-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("[type=submit]").forEach(function (button) { button.disabled = true; });
    });
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll("input[data-select-all]").forEach(function (master) {
    master.addEventListener("click", function () {
      document.querySelectorAll(master.dataset.selectAll).forEach(function (box) { box.checked = master.checked; });
    });
  });
  document.querySelectorAll("form[data-follow-selection]").forEach(function (form) {
    var count = document.querySelector("[data-testid=selected-count]");
    var total = document.querySelector("[data-testid=selected-total]");
    form.addEventListener("change", function () {
      var fen = 0, ticked = 0;
      form.querySelectorAll("input[name=claims]:checked").forEach(function (box) {
        fen += Math.round(parseFloat(box.dataset.amount) * 100); ticked += 1;
      });
      if (count) { count.textContent = ticked; }
      if (total) {
        total.textContent = (fen / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      }
    });
  });
})();

// Tables become one card per row on a phone (qiancheng.css, below 40rem): each cell gets its column's heading
// as data-label (and a heading without scope gets scope=col). A cell spanning several columns, or under an empty heading, gets no label.
(function () {
  "use strict";
  document.querySelectorAll("table.figures").forEach(function (table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) { return; }
    var labels = [];
    Array.prototype.forEach.call(head.cells, function (cell) {
      if (cell.tagName === "TH" && !cell.hasAttribute("scope")) { cell.setAttribute("scope", "col"); }
      for (var i = 0; i < (cell.colSpan || 1); i += 1) { labels.push(cell.colSpan > 1 ? "" : cell.textContent.trim()); }
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", cell.colSpan > 1 ? "" : (labels[column] || ""));
          }
          column += cell.colSpan || 1;
        });
      });
    });
    table.setAttribute("data-labelled", "");
  });
})();

// A table that scrolls inside its own box (qiancheng.css: a wide table on a tablet, any table on a phone
// without cards) can be reached by keyboard and scrolled with the arrow keys: tabindex=0 while it scrolls.
(function () {
  "use strict";
  function mark() {
    document.querySelectorAll("table.figures").forEach(function (table) {
      var scrolls = table.scrollWidth > table.clientWidth + 1 && getComputedStyle(table).overflowX !== "visible";
      if (scrolls && !table.hasAttribute("tabindex")) { table.setAttribute("tabindex", "0"); }
      if (!scrolls && table.getAttribute("tabindex") === "0") { table.removeAttribute("tabindex"); }
    });
  }
  mark();
  window.addEventListener("resize", mark);
})();
