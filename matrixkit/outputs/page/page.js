(function () {
  "use strict";
  var source = document.getElementById("mk-data");
  if (!source || !window.JSON || !document.querySelectorAll) { return; }
  var data = JSON.parse(source.textContent);
  Array.prototype.forEach.call(document.querySelectorAll(".js-only"), function (el) { el.hidden = false; });

  function norm(text) { return text.toLowerCase().replace(/\s+/g, " ").trim(); }

  var search = document.getElementById("mk-search");
  var status = document.getElementById("mk-search-status");
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-search-item]"));
  var texts = items.map(function (el) { return norm(el.textContent); });
  var groups = Array.prototype.slice.call(document.querySelectorAll("[data-search-group]"));
  function filter() {
    var terms = norm(search.value).split(" ").filter(Boolean), shown = 0;
    items.forEach(function (el, i) {
      var hit = terms.every(function (t) { return texts[i].indexOf(t) >= 0; });
      el.hidden = !hit;
      if (hit) { shown += 1; }
    });
    groups.forEach(function (g) {
      g.hidden = terms.length > 0 && !g.querySelector("[data-search-item]:not([hidden])");
    });
    status.textContent = terms.length ? shown + " of " + items.length + " levels and competencies match." : "";
  }
  document.getElementById("mk-search-form").addEventListener("submit", function (e) { e.preventDefault(); });
  search.addEventListener("input", filter);

  function words(text) {
    var out = [], re = /(\s*)(\S+)/g, m;
    while ((m = re.exec(text)) !== null) {
      out.push({ space: m[1], word: m[2], key: m[2].toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "") || m[2] });
    }
    return out;
  }
  function diff(a, b) {
    var n = a.length, m = b.length, lcs = [], i, j, ops = [];
    for (i = n; i >= 0; i -= 1) {
      lcs[i] = [];
      for (j = m; j >= 0; j -= 1) {
        lcs[i][j] = (i === n || j === m) ? 0 :
          (a[i].key === b[j].key ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]));
      }
    }
    i = 0; j = 0;
    while (i < n && j < m) {
      if (a[i].key === b[j].key) { ops.push(["=", b[j]]); i += 1; j += 1; }
      else if (lcs[i + 1][j] >= lcs[i][j + 1]) { ops.push(["-", a[i]]); i += 1; }
      else { ops.push(["+", b[j]]); j += 1; }
    }
    while (i < n) { ops.push(["-", a[i]]); i += 1; }
    while (j < m) { ops.push(["+", b[j]]); j += 1; }
    return ops;
  }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }
  function renderDiff(cell, before, after) {
    if (before === null || before === undefined) { cell.textContent = after; return; }
    var open = null, kind = null;
    diff(words(before), words(after)).forEach(function (op, index) {
      var token = op[1], space = index === 0 ? "" : (token.space || " ");
      if (op[0] === "=") {
        cell.appendChild(document.createTextNode(space + token.word));
        open = null; kind = null;
        return;
      }
      if (kind !== op[0]) {
        if (space) { cell.appendChild(document.createTextNode(space)); }
        open = cell.appendChild(el(op[0] === "+" ? "ins" : "del"));
        kind = op[0];
        open.appendChild(document.createTextNode(token.word));
      } else {
        open.appendChild(document.createTextNode(space + token.word));
      }
    });
  }
  function proficiency(value, scale) {
    if (value === undefined) { return "—"; }
    var filled = Math.max(0, Math.min(value, scale.max) - scale.min + 1);
    return new Array(filled + 1).join("●") + new Array(scale.max - scale.min + 2 - filled).join("○") + " " + value;
  }
  function pick(select) {
    var parts = select.value.split(":"), family = data.families[+parts[0]];
    return { family: family, level: family.levels[+parts[1]] };
  }
  var selA = document.getElementById("mk-compare-a"), selB = document.getElementById("mk-compare-b");
  var result = document.getElementById("mk-compare-result");
  function compare() {
    var a = pick(selA), b = pick(selB), seen = {}, ids = [];
    [a, b].forEach(function (side) {
      side.family.competencies.forEach(function (c) {
        if (!seen[c.id] && (c.id in side.level.expected || c.id in side.level.descriptions)) {
          seen[c.id] = c.name; ids.push(c.id);
        }
      });
    });
    var wrap = el("div", null, "scroll"), table = el("table", null, "compare-result");
    wrap.setAttribute("role", "region"); wrap.setAttribute("tabindex", "0");
    wrap.setAttribute("aria-label", "Comparison of " + a.level.id + " and " + b.level.id);
    table.appendChild(el("caption",
      a.level.id + " " + a.level.title + " compared with " + b.level.id + " " + b.level.title));
    var head = table.appendChild(el("thead")).appendChild(el("tr"));
    ["Competency", a.level.id, b.level.id, "Change", "At " + b.level.id + " (changes marked)"].forEach(function (t) {
      var th = head.appendChild(el("th", t)); th.scope = "col";
    });
    var body = table.appendChild(el("tbody"));
    var scopeRow = body.appendChild(el("tr"));
    var sh = scopeRow.appendChild(el("th", "Track and scope")); sh.scope = "row";
    var tracks = scopeRow.appendChild(el("td", a.level.track + " → " + b.level.track, "text"));
    tracks.colSpan = 3;
    renderDiff(scopeRow.appendChild(el("td", null, "text")), a.level.scope, b.level.scope || "");
    ids.forEach(function (id) {
      var row = body.appendChild(el("tr")), th = row.appendChild(el("th", seen[id]));
      var va = a.level.expected[id], vb = b.level.expected[id], change;
      th.scope = "row";
      row.appendChild(el("td", proficiency(va, a.family.scale)));
      row.appendChild(el("td", proficiency(vb, b.family.scale)));
      if (va === undefined || vb === undefined) {
        change = vb === undefined ? "not at " + b.level.id : "new at " + b.level.id;
      }
      else if (va === vb) { change = "same"; }
      else { change = (vb > va ? "▲ +" : "▼ ") + (vb - va); }
      row.appendChild(el("td", change, "change"));
      var cell = row.appendChild(el("td", null, "text")), db = b.level.descriptions[id];
      if (db === undefined) { cell.textContent = "No description at " + b.level.id + "."; }
      else { renderDiff(cell, a.level.descriptions[id], db); }
    });
    wrap.appendChild(table);
    result.textContent = "";
    result.appendChild(wrap);
  }
  selA.addEventListener("change", compare);
  selB.addEventListener("change", compare);
  document.getElementById("mk-compare-form").addEventListener("submit", function (e) {
    e.preventDefault(); compare();
  });
  compare();
}());
