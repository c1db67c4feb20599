// Runs webapp/static/js/skip-logic.js on cases read from stdin (JSON) and prints the results.
//   {"evaluate": [{"tree", "env", "today"}...]}            -> {"evaluate": [value...]}
//   {"state": [{"data", "values", "unknown"}...]}          -> {"state": [{hidden, itemHidden, env}...]}
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
  if (cases.numbers) {
    out.numbers = cases.numbers.map((t) => {
      const n = logic.readNumber(t);
      return n === logic.UNREADABLE ? "unreadable" : n;
    });
  }
  process.stdout.write(JSON.stringify(out));
});
