// Runs webapp/static/js/skip-logic.js on cases read from stdin (JSON) and prints the results.
//   {"evaluate": [{"tree", "env", "today"}...]}            -> {"evaluate": [value...]}
//   {"state": [{"data", "values", "unknown"}...]}          -> {"state": [{hidden, itemHidden, env}...]}
//   {"pages": [{"dom", "edits"}...]}                       -> {"pages": [{questions, outputs}...]}
//   {"numbers": ["text"...]}                               -> {"numbers": [number|null|"unreadable"...]}
"use strict";
const path = require("path");
const logic = require(path.join(__dirname, "..", "..", "webapp", "static", "js", "skip-logic.js"));

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const cases = JSON.parse(input);
  const out = {};
  if (cases.evaluate) {
    out.evaluate = cases.evaluate.map((c) => {
      try {
        const value = logic.evaluate(c.tree, c.env, c.today);
        return value === undefined ? { undefined: true } : { value };
      } catch (error) {
        return { error: String(error) };
      }
    });
  }
  if (cases.state) {
    out.state = cases.state.map((c) => {
      const s = logic.state(c.data, c.values, c.unknown);
      const itemHidden = {};
      Object.keys(s.itemHidden).forEach((k) => { itemHidden[k] = s.itemHidden[k].map((set) => [...set].sort()); });
      return { hidden: [...s.hidden].sort(), itemHidden, env: s.env, items: s.items };
    });
  }
  if (cases.pages) {
    const { documentOf } = require(path.join(__dirname, "fakedom.js"));
    out.pages = cases.pages.map((c) => {
      const doc = documentOf(c.dom);
      const form = () => doc.querySelector("form[data-kyoto-form]") || doc.querySelector("form") || doc.body;
      logic.start(doc);
      (c.edits || []).forEach((edit) => {
        const targets = form().querySelectorAll('[name="' + edit.name + '"]');
        targets.forEach((input) => {
          if ("checked" in edit) {
            if (input.getAttribute("value") === edit.value) { input.checked = edit.checked; }
            else if (input.getAttribute("type") === "radio" && edit.checked) { input.checked = false; }
          } else {
            input.value = edit.value;
          }
        });
        form().dispatch("input");
      });
      const questions = doc.querySelectorAll("[data-question]").map((e) => ({
        id: e.getAttribute("data-question"),
        repeat: e.getAttribute("data-repeat"),
        item: e.getAttribute("data-item"),
        hidden: e.hidden,
      }));
      const outputs = {};
      doc.querySelectorAll("[data-calculated]").forEach((o) => { outputs[o.getAttribute("id")] = o.textContent; });
      return { questions, outputs };
    });
  }
  if (cases.enhance) {
    // webapp/static/js/questionnaire.js: grid totals and code-point counters.
    const { documentOf } = require(path.join(__dirname, "fakedom.js"));
    const vm = require("vm");
    const source = require("fs").readFileSync(
      path.join(__dirname, "..", "..", "webapp", "static", "js", "questionnaire.js"), "utf8");
    out.enhance = cases.enhance.map((c) => {
      const doc = documentOf(c.dom);
      const window = { KyotoSkipLogic: logic, addEventListener() {} };
      vm.runInNewContext(source, { window, document: doc });
      (c.edits || []).forEach((edit) => {
        const input = doc.querySelector('[name="' + edit.name + '"]');
        input.value = edit.value;
        let node = input;
        while (node) { node.dispatch("input"); node = node.parentNode; }
      });
      const outputs = {};
      doc.querySelectorAll("output[data-grid-total]").forEach((o, i) => { outputs[o.getAttribute("id") || "all-" + i] = o.textContent; });
      const counters = {};
      doc.querySelectorAll(".character-count").forEach((p) => {
        counters[p.getAttribute("id")] = { text: p.textContent, over: p.classList.contains("error-message") };
      });
      const limited = doc.querySelectorAll("[data-max-length]").map((e) => e.getAttribute("maxlength"));
      return { outputs, counters, limited };
    });
  }
  if (cases.numbers) {
    out.numbers = cases.numbers.map((t) => {
      const n = logic.readNumber(t);
      return n === logic.UNREADABLE ? "unreadable" : n;
    });
  }
  process.stdout.write(JSON.stringify(out));
});
