// A minimal DOM for running skip-logic.js in Node on server-rendered HTML (given as a JSON tree
// by the Python test): attributes, the properties the script uses, and the few selector forms
// it needs (tag, #id, .class, [attr], [attr="v"], [attr$="v"], :not(...), no combinators).
"use strict";

const PROPERTY_ATTRIBUTES = { name: "name", id: "id", type: "type" };

function parseSelector(selector) {
  const parts = [];
  const pattern = /^(?:([a-zA-Z][a-zA-Z0-9-]*)|#([\w-]+)|\.([\w-]+)|\[([\w-]+)(?:([$^]?=)"([^"]*)")?\]|:not\(([^)]*\)?)\))/;
  let rest = selector.trim();
  while (rest.length) {
    const match = pattern.exec(rest);
    if (!match) { throw new Error("unsupported selector: " + selector); }
    rest = rest.slice(match[0].length);
    if (match[1]) { parts.push((e) => e.tagName === match[1].toLowerCase()); }
    else if (match[2]) { parts.push((e) => e.attributes.id === match[2]); }
    else if (match[3]) { parts.push((e) => (e.attributes.class || "").split(/\s+/).includes(match[3])); }
    else if (match[4]) {
      const name = match[4], op = match[5], value = match[6];
      parts.push((e) => {
        if (!(name in e.attributes)) { return false; }
        if (!op) { return true; }
        if (op === "=") { return e.attributes[name] === value; }
        if (op === "$=") { return e.attributes[name].endsWith(value); }
        return e.attributes[name].startsWith(value);
      });
    } else if (match[7]) {
      const inner = compile(match[7]);
      parts.push((e) => !inner(e));
    }
  }
  return (e) => parts.every((test) => test(e));
}

function compile(selector) {
  const alternatives = selector.split(",").map(parseSelector);
  return (e) => alternatives.some((test) => test(e));
}

class Node {
  constructor(tree, parent) {
    this.parentNode = parent || null;
    this.tagName = tree.tag;
    this.attributes = Object.assign({}, tree.attrs || {});
    this.children = [];
    this.text = "";
    this.listeners = {};
    (tree.children || []).forEach((child) => {
      if (typeof child === "string") { this.children.push(child); } else { this.children.push(new Node(child, this)); }
    });
    if (this.tagName === "textarea") { this._value = this.textContent.replace(/^\n/, ""); }
  }
  get elements() { return this.children.filter((c) => c instanceof Node); }
  getAttribute(name) { return name in this.attributes ? this.attributes[name] : null; }
  setAttribute(name, value) { this.attributes[name] = String(value); }
  removeAttribute(name) { delete this.attributes[name]; }
  get hidden() { return "hidden" in this.attributes; }
  set hidden(flag) { if (flag) { this.attributes.hidden = ""; } else { delete this.attributes.hidden; } }
  get checked() { return "checked" in this.attributes; }
  set checked(flag) { if (flag) { this.attributes.checked = ""; } else { delete this.attributes.checked; } }
  get value() { return this.tagName === "textarea" ? this._value : (this.attributes.value || ""); }
  set value(text) { if (this.tagName === "textarea") { this._value = text; } else { this.attributes.value = text; } }
  get textContent() {
    return this.children.map((c) => (typeof c === "string" ? c : c.textContent)).join("");
  }
  set textContent(text) { this.children = [String(text)]; }
  *walk() { for (const child of this.elements) { yield child; yield* child.walk(); } }
  querySelectorAll(selector) { const test = compile(selector); return [...this.walk()].filter(test); }
  querySelector(selector) { return this.querySelectorAll(selector)[0] || null; }
  closest(selector) {
    const test = compile(selector);
    for (let node = this; node && node.tagName; node = node.parentNode) { if (test(node)) { return node; } }
    return null;
  }
  get classList() {
    const node = this;
    const names = () => (node.attributes.class || "").split(/\s+/).filter(Boolean);
    return {
      add(name) { if (!names().includes(name)) { node.attributes.class = [...names(), name].join(" "); } },
      remove(name) { node.attributes.class = names().filter((n) => n !== name).join(" "); },
      contains(name) { return names().includes(name); },
    };
  }
  set className(text) { this.attributes.class = text; }
  insertAdjacentElement(where, element) {
    const siblings = this.parentNode.children;
    siblings.splice(siblings.indexOf(this) + (where === "afterend" ? 1 : 0), 0, element);
    element.parentNode = this.parentNode;
    return element;
  }
  focus() { this.ownerFocus = true; }
  addEventListener(type, listener) { (this.listeners[type] = this.listeners[type] || []).push(listener); }
  dispatch(type) { (this.listeners[type] || []).forEach((listener) => listener({ type, target: this })); }
}
["name", "type"].forEach((property) => {
  Object.defineProperty(Node.prototype, property, { get() { return this.getAttribute(PROPERTY_ATTRIBUTES[property]) || ""; } });
});
Object.defineProperty(Node.prototype, "id", {
  get() { return this.getAttribute("id") || ""; },
  set(text) { this.attributes.id = String(text); },
});

function documentOf(tree) {
  const root = new Node({ tag: "#document", attrs: {}, children: [tree] }, null);
  root.tagName = null;
  root.readyState = "complete";
  Object.defineProperty(root, "body", { get() { return root.querySelector("body") || root; } });
  root.getElementById = (id) => root.querySelector("#" + id);
  root.createElement = (tag) => new Node({ tag, attrs: {}, children: [] }, null);
  return root;
}

module.exports = { documentOf };
