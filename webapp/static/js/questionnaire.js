/*
 * Small comforts on questionnaire pages; everything works without them.
 *   - grid tables: live row, column and grand totals;
 *   - text limits counted in code points, as the server counts them (the `maxlength`
 *     attribute counts UTF-16 units, so an emoji would count twice): a live counter instead;
 *   - a warning before leaving a page with unsaved typing;
 *   - the error summary takes the focus when a page comes back with problems.
 * Numbers are read with the same grammar as the server (KyotoSkipLogic.readNumber).
 */
(function () {
  "use strict";
  if (window.KyotoQuestionnaire) { return; } // a page may load this once per section
  window.KyotoQuestionnaire = true;

  function all(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }

  function readNumber(text) {
    var api = window.KyotoSkipLogic;
    if (api) {
      var n = api.readNumber(text);
      return n === api.UNREADABLE ? null : n;
    }
    var plain = String(text).trim();
    return /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/.test(plain) ? Number(plain) : null;
  }

  /* Twelve significant digits, as the server shows totals (0.1 + 0.2 shows 0.3). */
  function showTotal(numbers) {
    if (!numbers.length) { return ""; }
    var total = numbers.reduce(function (a, b) { return a + b; }, 0);
    return Number.isInteger(total) ? String(total) : String(Number(total.toPrecision(12)));
  }

  function updateGrid(table) {
    var columns = {};
    all(table, "tr[data-grid-row]").forEach(function (row) {
      var numbers = [];
      all(row, "input[data-grid-column]").forEach(function (input) {
        var n = readNumber(input.value), column = input.getAttribute("data-grid-column");
        columns[column] = columns[column] || [];
        if (n !== null) { numbers.push(n); columns[column].push(n); }
      });
      var total = row.querySelector('output[data-grid-total="row"]');
      if (total) { total.textContent = showTotal(numbers); }
    });
    var everything = [];
    all(table, 'output[data-grid-total="column"]').forEach(function (output) {
      var numbers = columns[output.getAttribute("data-grid-column")] || [];
      everything = everything.concat(numbers);
      output.textContent = showTotal(numbers);
    });
    var grand = table.querySelector('output[data-grid-total="all"]');
    if (grand) { grand.textContent = showTotal(everything); }
  }

  function codePoints(text) { return Array.from(text).length; }

  function counter(input) {
    var limit = +input.getAttribute("data-max-length"), note = document.createElement("p");
    input.removeAttribute("maxlength");
    note.className = "hint character-count";
    note.id = input.id + "--count";
    input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + note.id).trim());
    input.insertAdjacentElement("afterend", note);
    var update = function () {
      var used = codePoints(input.value.replace(/\r\n/g, "\n"));
      note.textContent = used + " / " + limit;
      if (used > limit) {
        note.classList.add("error-message");
        input.setAttribute("aria-invalid", "true");
      } else {
        note.classList.remove("error-message");
        if (!input.closest(".has-error")) { input.removeAttribute("aria-invalid"); }
      }
    };
    input.addEventListener("input", update);
    update();
  }

  function start() {
    all(document, "table[data-grid]").forEach(function (table) {
      table.addEventListener("input", function () { updateGrid(table); });
      updateGrid(table);
    });
    all(document, "[data-max-length]").forEach(counter);
    all(document, "form[data-kyoto-form]").forEach(function (form) {
      var dirty = false;
      form.addEventListener("input", function () { dirty = true; });
      form.addEventListener("change", function () { dirty = true; });
      form.addEventListener("submit", function () { dirty = false; });
      window.addEventListener("beforeunload", function (event) {
        if (dirty) { event.preventDefault(); event.returnValue = ""; }
      });
    });
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
