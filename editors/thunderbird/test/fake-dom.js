// A few DOM-shaped objects, enough for lib/mapping.js's walker.
"use strict";

function text(data) {
  return { nodeType: 3, nodeName: "#text", data, childNodes: [] };
}

function el(name, attributes = {}, ...children) {
  const classes = (attributes.class || "").split(/\s+/).filter(Boolean);
  return {
    nodeType: 1,
    nodeName: name.toUpperCase(),
    childNodes: children.map((c) => (typeof c === "string" ? text(c) : c)),
    getAttribute: (key) => (key in attributes ? attributes[key] : null),
    classList: { contains: (c) => classes.includes(c) },
  };
}

module.exports = { el, text };
