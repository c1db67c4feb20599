/*
 * Skip logic in the browser: shows and hides questions as people type, and shows calculated
 * values live. The server stays authoritative (it drops answers of hidden questions on save);
 * this file only has to agree with it, so it evaluates the very trees the server checked
 * (`engine.expressions.to_json`) with the engine's semantics (`engine/expressions/values.py`):
 *
 *   - null: comparisons with null are false except == and != ; arithmetic with null is null;
 *     `x in [...]` is false when x is null; `not null` is true;
 *   - truthiness: null, false, 0, '' and [] are false; everything else (even {}) is true;
 *   - type-strict equality: true != 1, '1' != 1; numbers compare by value (2 == 2.0);
 *   - one number type: integral results are integers, -0 is 0, overflow and NaN are null,
 *     division by zero is null, booleans are not numbers;
 *   - strings compare by Unicode code point and len() counts code points (not UTF-16 units);
 *   - inside a repeat a name means the sibling field of the same item first.
 *
 * No framework, no eval, no inline script: the plan comes from a
 * <script type="application/json" class="kyoto-logic"> data block (see webapp/forms/logic.py).
 * Also loadable in Node (module.exports), where tests compare it with the Python evaluator.
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.KyotoSkipLogic = api;
    if (typeof document !== "undefined") {
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", function () { api.start(document); });
      } else {
        api.start(document);
      }
    }
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var own = Object.prototype.hasOwnProperty;
  function has(object, key) { return object !== null && typeof object === "object" && own.call(object, key); }
  function isList(value) { return Array.isArray(value); }
  function isObject(value) { return value !== null && typeof value === "object" && !isList(value); }
  function isNumber(value) { return typeof value === "number"; }

  // -- values (engine/expressions/values.py) ---------------------------------------------------

  function normalise(number) {
    if (!isFinite(number)) { return null; }
    return number === 0 ? 0 : number; // -0 is 0
  }

  function truthy(value) {
    if (value === null || value === undefined || value === false) { return false; }
    if (value === true) { return true; }
    if (isNumber(value)) { return value !== 0 && value === value; }
    if (typeof value === "string" || isList(value)) { return value.length > 0; }
    return true;
  }

  function kind(value) {
    if (value === null || value === undefined) { return "null"; }
    if (isList(value)) { return "list"; }
    return typeof value;
  }

  function equals(a, b) {
    var ka = kind(a), kb = kind(b), i, keys;
    if (ka !== kb) { return false; }
    if (ka === "list") {
      if (a.length !== b.length) { return false; }
      for (i = 0; i < a.length; i += 1) { if (!equals(a[i], b[i])) { return false; } }
      return true;
    }
    if (ka === "object") {
      keys = Object.keys(a);
      if (keys.length !== Object.keys(b).length) { return false; }
      for (i = 0; i < keys.length; i += 1) {
        if (!own.call(b, keys[i]) || !equals(a[keys[i]], b[keys[i]])) { return false; }
      }
      return true;
    }
    if (ka === "null") { return true; }
    return a === b;
  }

  /* -1, 0 or 1 comparing two strings code point by code point. */
  function compareStrings(a, b) {
    var i = 0, j = 0, x, y;
    while (i < a.length && j < b.length) {
      x = a.codePointAt(i);
      y = b.codePointAt(j);
      if (x !== y) { return x < y ? -1 : 1; }
      i += x > 0xffff ? 2 : 1;
      j += y > 0xffff ? 2 : 1;
    }
    if (i < a.length) { return 1; }
    if (j < b.length) { return -1; }
    return 0;
  }

  function order(a, b) {
    if (isNumber(a) && isNumber(b)) { return a < b ? -1 : a > b ? 1 : 0; }
    if (typeof a === "string" && typeof b === "string") { return compareStrings(a, b); }
    return undefined;
  }

  function ordering(test) {
    return function (a, b) {
      var found = order(a, b);
      if (found === undefined) { return kind(a) === "null" || kind(b) === "null" ? false : null; }
      return test(found);
    };
  }

  function contains(needle, haystack) {
    var i;
    if (kind(needle) === "null") { return false; }
    if (isList(haystack)) {
      for (i = 0; i < haystack.length; i += 1) { if (equals(needle, haystack[i])) { return true; } }
      return false;
    }
    if (typeof haystack === "string") { return typeof needle === "string" && haystack.indexOf(needle) >= 0; }
    return false;
  }

  var COMPARE = {
    "==": equals,
    "!=": function (a, b) { return !equals(a, b); },
    "<": ordering(function (c) { return c < 0; }),
    "<=": ordering(function (c) { return c <= 0; }),
    ">": ordering(function (c) { return c > 0; }),
    ">=": ordering(function (c) { return c >= 0; }),
    "in": contains,
    "not in": function (a, b) { return !contains(a, b); }
  };

  var ARITHMETIC = {
    "+": function (a, b) {
      if (isNumber(a) && isNumber(b)) { return normalise(a + b); }
      if (typeof a === "string" && typeof b === "string") { return a + b; }
      return null;
    },
    "-": function (a, b) { return isNumber(a) && isNumber(b) ? normalise(a - b) : null; },
    "*": function (a, b) { return isNumber(a) && isNumber(b) ? normalise(a * b) : null; },
    "/": function (a, b) { return isNumber(a) && isNumber(b) && b !== 0 ? normalise(a / b) : null; }
  };

  function codePoints(text) { return Array.from(text).length; }

  function sumNumbers(numbers) {
    var total = 0, i;
    for (i = 0; i < numbers.length; i += 1) {
      if (total === null) { return null; }
      total = normalise(total + numbers[i]);
    }
    return total;
  }

  function sumOf(answer, field) {
    var numbers = [], i, value;
    if (!isList(answer)) { return 0; }
    for (i = 0; i < answer.length; i += 1) {
      if (field === null) {
        value = answer[i];
      } else if (isObject(answer[i])) {
        value = own.call(answer[i], field) ? answer[i][field] : null;
      } else {
        continue;
      }
      if (isNumber(value)) { numbers.push(value); }
    }
    return sumNumbers(numbers);
  }

  function extreme(args, sign) {
    var values = args.length === 1 && isList(args[0]) ? args[0] : args;
    var present = values.filter(function (v) { return kind(v) !== "null"; });
    var best, i;
    if (!present.length) { return null; }
    if (present.every(isNumber)) {
      best = present[0];
      for (i = 1; i < present.length; i += 1) { if (sign * (present[i] - best) < 0) { best = present[i]; } }
      return normalise(best);
    }
    if (present.every(function (v) { return typeof v === "string"; })) {
      best = present[0];
      for (i = 1; i < present.length; i += 1) { if (sign * compareStrings(present[i], best) < 0) { best = present[i]; } }
      return best;
    }
    return null;
  }

  var DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

  function isDate(value) {
    var match, y, m, d, days;
    if (typeof value !== "string") { return false; }
    match = DATE.exec(value);
    if (!match) { return false; }
    y = +match[1]; m = +match[2]; d = +match[3];
    if (y < 1 || m < 1 || m > 12 || d < 1) { return false; }
    days = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
    return d <= days;
  }

  // -- evaluation of a tree ------------------------------------------------------------------

  /* A scope: a name means its own value first, then the outer scope's (repeat items). */
  function Scope(values, outer) { this.values = values; this.outer = outer || null; }
  Scope.prototype.get = function (name) {
    if (own.call(this.values, name)) {
      var found = this.values[name];
      return found === undefined ? null : found;
    }
    return this.outer ? this.outer.get(name) : null;
  };

  function scopeOf(env) { return env instanceof Scope ? env : new Scope(env || {}, null); }

  function argument(node, scope) {
    return has(node, "name") ? scope.get(node.name) : scope.get("value");
  }

  function call(name, args, scope, today) {
    var answer, choice, values;
    switch (name) {
      case "selected":
        answer = argument(args[0], scope);
        choice = args[1].lit;
        if (isList(answer)) { return answer.indexOf(choice) >= 0; }
        return typeof answer === "string" && answer === choice;
      case "count":
        answer = argument(args[0], scope);
        if (kind(answer) === "null") { return 0; }
        return isList(answer) ? answer.length : 1;
      case "answered":
        return kind(argument(args[0], scope)) !== "null";
      case "sum":
        return sumOf(argument(args[0], scope), args.length === 2 ? args[1].lit : null);
      case "today":
        return today;
      case "len":
        answer = evaluate(args[0], scope, today);
        if (typeof answer === "string") { return codePoints(answer); }
        return isList(answer) ? answer.length : null;
      case "year":
        answer = evaluate(args[0], scope, today);
        return isDate(answer) ? +answer.slice(0, 4) : null;
      case "min":
      case "max":
        values = args.map(function (arg) { return evaluate(arg, scope, today); });
        return extreme(values, name === "min" ? 1 : -1);
      default:
        return null;
    }
  }

  function evaluate(node, env, today) {
    var scope = scopeOf(env), i, x, y, chain, operands;
    if (has(node, "lit")) { return node.lit; }
    if (has(node, "name")) { return scope.get(node.name); }
    if (has(node, "value")) { return scope.get("value"); }
    if (has(node, "list")) { return node.list.map(function (item) { return evaluate(item, scope, today); }); }
    if (has(node, "not")) { return !truthy(evaluate(node.not, scope, today)); }
    if (has(node, "and")) {
      for (i = 0; i < node.and.length; i += 1) { if (!truthy(evaluate(node.and[i], scope, today))) { return false; } }
      return true;
    }
    if (has(node, "or")) {
      for (i = 0; i < node.or.length; i += 1) { if (truthy(evaluate(node.or[i], scope, today))) { return true; } }
      return false;
    }
    if (has(node, "neg")) {
      x = evaluate(node.neg, scope, today);
      return isNumber(x) ? normalise(-x) : null;
    }
    if (has(node, "op")) {
      return ARITHMETIC[node.op](evaluate(node.args[0], scope, today), evaluate(node.args[1], scope, today));
    }
    if (has(node, "cmp")) {
      chain = node.cmp;
      if (chain.length === 3) {
        return COMPARE[chain[1]](evaluate(chain[0], scope, today), evaluate(chain[2], scope, today));
      }
      x = evaluate(chain[0], scope, today);
      for (i = 1; i < chain.length; i += 2) {
        y = evaluate(chain[i + 1], scope, today);
        if (COMPARE[chain[i]](x, y) !== true) { return false; }
        x = y;
      }
      return true;
    }
    if (has(node, "call")) {
      operands = node.args || [];
      return call(node.call, operands, scope, today);
    }
    throw new Error("unknown expression node");
  }

  // -- which answers are valid (mirrors each question type's `check`) -------------------------

  var patternCache = {};
  function pattern(source) {
    if (!own.call(patternCache, source)) {
      try {
        patternCache[source] = new RegExp(source, "u");
      } catch (error) {
        patternCache[source] = new RegExp(source);
      }
    }
    return patternCache[source];
  }

  function inBounds(number, info) {
    return !(has(info, "min") && number < info.min) && !(has(info, "max") && number > info.max);
  }

  function validNumber(value, info) {
    if (!isNumber(value) || !isFinite(value)) { return false; }
    if (info.whole && !Number.isInteger(value)) { return false; }
    return inBounds(value, info);
  }

  function validText(value, info) {
    var i;
    if (typeof value !== "string" || value === "") { return false; }
    if (has(info, "maxLength") && codePoints(value) > info.maxLength) { return false; }
    for (i = 0; i < (info.patterns || []).length; i += 1) {
      if (!pattern(info.patterns[i]).test(value)) { return false; }
    }
    return true;
  }

  function validChoice(value, info) {
    return typeof value === "string" && value !== "" && (info.choices || []).indexOf(value) >= 0;
  }

  var VALID = {
    text: validText,
    textarea: validText,
    email: validText,
    url: validText,
    integer: validNumber,
    decimal: validNumber,
    yes_no: function (value) { return typeof value === "boolean"; },
    single_choice: validChoice,
    multiple_choice: function (value, info) {
      var seen = {}, i;
      if (!isList(value) || !value.length) { return false; }
      for (i = 0; i < value.length; i += 1) {
        if (!validChoice(value[i], info) || own.call(seen, value[i])) { return false; }
        seen[value[i]] = true;
      }
      return !(has(info, "maxSelected") && value.length > info.maxSelected);
    },
    date: function (value, info) {
      return isDate(value) && !(has(info, "min") && value < info.min) && !(has(info, "max") && value > info.max);
    },
    matrix: function (value, info) {
      var keys;
      if (!isObject(value)) { return false; }
      keys = Object.keys(value);
      return keys.length > 0 && keys.every(function (row) {
        return info.rows.indexOf(row) >= 0 && validChoice(value[row], info);
      });
    },
    grid: function (value, info) {
      var rows;
      if (!isObject(value)) { return false; }
      rows = Object.keys(value);
      return rows.length > 0 && rows.every(function (row) {
        var cells = value[row], columns;
        if (info.rows.indexOf(row) < 0 || !isObject(cells)) { return false; }
        columns = Object.keys(cells);
        return columns.length > 0 && columns.every(function (column) {
          return info.columns.indexOf(column) >= 0 && validNumber(cells[column], info);
        });
      });
    },
    repeat: function (value, info) {
      if (!isList(value)) { return false; }
      if (has(info, "maxItems") && value.length > info.maxItems) { return false; }
      return value.every(isObject);
    }
  };

  function valid(info, value) {
    var check = VALID[info.type];
    return check ? check(value, info) : false;
  }

  // -- the environment, as engine.validation / webapp.forms.logic build it -------------------

  function intersects(names, set) {
    var i;
    for (i = 0; i < (names || []).length; i += 1) { if (set.has(names[i])) { return true; } }
    return false;
  }

  function answerable(info) { return info && info.type !== "calculated" && info.type !== "note"; }

  /*
   * state(data, values, unknown): what the expressions say for `values` (top-level answers by
   * id) when the questions named in `unknown` hold text that could not be read.
   * Returns {hidden: Set, itemHidden: {repeat: [Set]}, env: {}, items: {repeat: [{}]}}.
   */
  function state(data, values, unknown) {
    var questions = data.questions, tainted = new Set(unknown || []), env = {};
    var bad = {}, result = { hidden: new Set(), itemHidden: {}, env: env, items: {}, tainted: tainted };
    (data.order || []).forEach(function (id) {
      var info = questions[id], value, invalid;
      if (!own.call(values, id)) { return; }
      value = values[id];
      invalid = !valid(info, value);
      if (info.type === "repeat" && isList(value)) {
        bad[id] = value.map(function (item) { return badMembers(data, id, item); });
        invalid = invalid || bad[id].some(function (set) { return set.size > 0; });
      }
      if (invalid || tainted.has(id)) { tainted.add(id); } else { env[id] = value; }
    });
    (data.plan || []).forEach(function (step) {
      var id = step.id, info = questions[id], list;
      if (step.when) {
        if (intersects(step.whenNames, tainted)) {
          tainted.add(id);
        } else if (!truthy(evaluate(step.when, env, data.today))) {
          delete env[id];
          result.hidden.add(id);
          tainted.delete(id);
          return;
        }
      }
      if (info.type === "calculated") {
        calculate(step, new Scope(env, null), tainted, env, data.today);
      } else if (info.type === "repeat") {
        list = values[id];
        if (isList(list)) {
          list = items(data, step, list, env, result, bad[id] || []);
          if (own.call(env, id)) { env[id] = list; }
        }
      }
    });
    return result;
  }

  function badMembers(data, repeat, item) {
    var found = new Set();
    if (!isObject(item)) { return found; }
    ((data.questions[repeat] || {}).members || []).forEach(function (member) {
      var info = data.questions[member];
      if (answerable(info) && own.call(item, member) && !valid(info, item[member])) { found.add(member); }
    });
    return found;
  }

  function calculate(step, scope, tainted, into, today) {
    var value;
    if (intersects(step.calcNames, tainted)) { tainted.add(step.id); return; }
    value = evaluate(step.calc, scope, today);
    if (value === null || value === undefined) { delete into[step.id]; } else { into[step.id] = value; }
  }

  function items(data, step, list, env, result, bad) {
    var members = (data.questions[step.id] || {}).members || [];
    var locals = [], hiddenPerItem = [];
    list.forEach(function (item, index) {
      var local = {}, invalid = bad[index] || new Set(), hidden = new Set();
      var tainted = new Set(invalid), scope;
      item = isObject(item) ? item : {};
      result.tainted.forEach(function (name) { tainted.add(name); });
      members.forEach(function (member) {
        if (own.call(item, member) && answerable(data.questions[member]) && !invalid.has(member)) {
          local[member] = item[member];
        }
      });
      scope = new Scope(local, new Scope(env, null));
      (step.members || []).forEach(function (memberStep) {
        if (memberStep.when) {
          if (intersects(memberStep.whenNames, tainted)) { tainted.add(memberStep.id); return; }
          if (!truthy(evaluate(memberStep.when, scope, data.today))) {
            delete local[memberStep.id];
            hidden.add(memberStep.id);
            tainted.delete(memberStep.id);
            return;
          }
        }
        if (data.questions[memberStep.id].type === "calculated" && memberStep.calc) {
          calculate(memberStep, scope, tainted, local, data.today);
        }
      });
      locals.push(local);
      hiddenPerItem.push(hidden);
    });
    result.itemHidden[step.id] = hiddenPerItem;
    result.items[step.id] = locals;
    return locals;
  }

  // -- reading typed numbers (webapp/forms/numbers.py) -----------------------------------------

  var UNREADABLE = { unreadable: true };
  var NUMBER = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;
  var DIGIT_ZEROS = [0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6,
    0xd66, 0xde6, 0xe50, 0xed0, 0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80,
    0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50,
    0xabf0, 0xff10];

  function asciiDigits(text) {
    var out = "";
    Array.from(text).forEach(function (char) {
      var code = char.codePointAt(0), i;
      if (char === "\u066b") { out += "."; return; }
      if (char === "\u2212") { out += "-"; return; }
      if (code > 0x7f) {
        for (i = 0; i < DIGIT_ZEROS.length; i += 1) {
          if (code >= DIGIT_ZEROS[i] && code <= DIGIT_ZEROS[i] + 9) { out += String(code - DIGIT_ZEROS[i]); return; }
        }
      }
      out += char;
    });
    return out;
  }

  /* A typed number: a number, null when blank, UNREADABLE otherwise. */
  function readNumber(text) {
    var typed = asciiDigits(String(text).trim()), number;
    if (typed === "") { return null; }
    if (!NUMBER.test(typed) || typed.replace(/[^0-9]/g, "").length > 400) { return UNREADABLE; }
    number = Number(typed); // beyond 2**53 the nearest double, as JSON.parse would read it
    if (!isFinite(number)) { return UNREADABLE; }
    return normalise(number);
  }

  // -- the page -----------------------------------------------------------------------------------

  function inputs(form, name) { return Array.prototype.slice.call(form.querySelectorAll('[name="' + name + '"]')); }

  function textOf(form, name) {
    var found = inputs(form, name)[0];
    return found ? String(found.value) : "";
  }

  function checkedValues(form, name) {
    return inputs(form, name).filter(function (input) { return input.checked; }).map(function (input) { return input.value; });
  }

  var READ = {
    // Text is an answer as typed, spaces included; only an empty input is unanswered.
    text: function (form, name) { var t = textOf(form, name).replace(/\r\n?/g, "\n"); return t !== "" ? t : null; },
    integer: function (form, name) { return readNumber(textOf(form, name)); },
    yes_no: function (form, name) {
      var v = checkedValues(form, name)[0];
      return v === "true" ? true : v === "false" ? false : v === undefined ? null : v;
    },
    single_choice: function (form, name) { var v = checkedValues(form, name)[0]; return v === undefined ? null : v; },
    multiple_choice: function (form, name) { var v = checkedValues(form, name); return v.length ? v : null; },
    matrix: function (form, name, info) {
      var value = {}, any = false;
      info.rows.forEach(function (row) {
        var v = checkedValues(form, name + "-" + row)[0];
        if (v !== undefined && v !== "") { value[row] = v; any = true; }
      });
      return any ? value : null;
    },
    grid: function (form, name, info) {
      var value = {}, any = false, unreadable = false;
      info.rows.forEach(function (row) {
        info.columns.forEach(function (column) {
          var n = readNumber(textOf(form, name + "-" + row + "-" + column));
          if (n === UNREADABLE) { unreadable = true; } else if (n !== null) {
            value[row] = value[row] || {};
            value[row][column] = n;
            any = true;
          }
        });
      });
      if (unreadable) { return UNREADABLE; }
      return any ? value : null;
    }
  };
  READ.textarea = READ.text;
  READ.email = READ.text;
  READ.url = READ.text;
  READ.date = READ.text;
  READ.decimal = READ.integer;

  function readRepeat(form, data, id) {
    var list = [], unreadable = false, members = data.questions[id].members || [];
    Array.prototype.slice.call(form.querySelectorAll('[data-repeat-item="' + id + '"]')).forEach(function (element) {
      var marker = element.querySelector('input[name$="-ITEM"]'), prefix, item = {};
      if (!marker) { return; }
      prefix = marker.name.slice(0, -"ITEM".length);
      members.forEach(function (member) {
        var info = data.questions[member], reader = READ[info.type], value;
        if (!reader) { return; }
        value = reader(form, prefix + member, info);
        if (value === UNREADABLE) { unreadable = true; } else if (value !== null) { item[member] = value; }
      });
      list.push(item);
    });
    if (unreadable) { return UNREADABLE; }
    return list.length ? list : null;
  }

  function readPage(form, data) {
    var values = {}, unknown = [];
    Object.keys(data.outside || {}).forEach(function (id) { values[id] = data.outside[id]; });
    Array.prototype.slice.call(form.querySelectorAll("[data-question]:not([data-repeat])")).forEach(function (element) {
      var id = element.getAttribute("data-question"), info = data.questions[id], value;
      if (!info || !answerable(info)) { return; }
      delete values[id];
      if (info.type === "repeat") {
        value = readRepeat(form, data, id);
      } else if (READ[info.type]) {
        value = READ[info.type](form, id, info);
      } else {
        return;
      }
      if (value === UNREADABLE) { unknown.push(id); } else if (value !== null) { values[id] = value; }
    });
    return { values: values, unknown: unknown };
  }

  function show(value, output) {
    if (value === null || value === undefined) { return ""; }
    if (value === true) { return output.getAttribute("data-yes") || "true"; }
    if (value === false) { return output.getAttribute("data-no") || "false"; }
    if (isNumber(value)) { return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15))); }
    if (isList(value)) { return value.join(", "); }
    return String(value);
  }

  function apply(form, data) {
    var typed = readPage(form, data), result = state(data, typed.values, typed.unknown);
    Array.prototype.slice.call(form.querySelectorAll("[data-question]")).forEach(function (element) {
      var id = element.getAttribute("data-question"), repeat = element.getAttribute("data-repeat"), hidden;
      if (repeat) {
        var index = +element.getAttribute("data-item"), sets = result.itemHidden[repeat] || [];
        hidden = result.hidden.has(repeat) || (index < sets.length && sets[index].has(id));
      } else {
        hidden = result.hidden.has(id);
      }
      if (element.hidden !== hidden) { element.hidden = hidden; }
    });
    Array.prototype.slice.call(form.querySelectorAll("[data-calculated]")).forEach(function (output) {
      var id = output.getAttribute("data-calculated"), wrapper = output.closest("[data-question]"), value;
      var repeat = wrapper && wrapper.getAttribute("data-repeat");
      if (result.tainted.has(id)) { return; }
      if (repeat) {
        var locals = result.items[repeat] || [], index = +wrapper.getAttribute("data-item");
        value = index < locals.length ? locals[index][id] : null;
      } else {
        value = result.env[id];
      }
      output.textContent = show(value, output);
    });
    return result;
  }

  function start(doc) {
    var blocks = Array.prototype.slice.call(doc.querySelectorAll("script.kyoto-logic"));
    var roots = [];
    blocks.forEach(function (block) {
      var data, root = block.closest("form") || doc.body, entry;
      try { data = JSON.parse(block.textContent); } catch (error) { return; }
      entry = roots.filter(function (r) { return r.root === root; })[0];
      if (entry) {
        Object.keys(data.outside || {}).forEach(function (k) { entry.data.outside[k] = data.outside[k]; });
        return;
      }
      data.outside = data.outside || {};
      roots.push({ root: root, data: data });
    });
    roots.forEach(function (entry) {
      if (entry.root.getAttribute("data-skip-logic") === "on") { return; }
      entry.root.setAttribute("data-skip-logic", "on");
      var update = function () { apply(entry.root, entry.data); };
      entry.root.addEventListener("input", update);
      entry.root.addEventListener("change", update);
      update();
    });
  }

  return {
    evaluate: evaluate,
    truthy: truthy,
    equals: equals,
    state: state,
    readNumber: readNumber,
    UNREADABLE: UNREADABLE,
    start: start
  };
});
