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

  // What counts as a change, as matrixkit/outputs/publish.py's change_segments() decides it for the
  // tables: the same rules, so the page marks the same words with or without this script.
  var SIMILAR = 0.6, ITEM = /^(\s*(?:[-*•]|[0-9]+[.)])\s+)(.*)$/;
  function key(word) { return word.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "") || word; }
  function words(text) {
    var out = [], re = /(\s*)(\S+)/g, m;
    while ((m = re.exec(text)) !== null) { out.push([m[1], m[2]]); }
    return out;
  }
  function keys(text) { return words(text).map(function (w) { return key(w[1]); }); }
  function common(a, b) {
    var n = a.length, m = b.length, lcs = [], kept = [], i, j;
    for (i = n; i >= 0; i -= 1) {
      lcs[i] = [];
      for (j = m; j >= 0; j -= 1) {
        lcs[i][j] = (i === n || j === m) ? 0 :
          (a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]));
      }
    }
    for (j = 0; j < m; j += 1) { kept.push(false); }
    i = 0; j = 0;
    while (i < n && j < m) {
      if (a[i] === b[j]) { kept[j] = true; i += 1; j += 1; }
      else if (lcs[i + 1][j] >= lcs[i][j + 1]) { i += 1; }
      else { j += 1; }
    }
    return kept;
  }
  function similarity(a, b) {
    if (!a.length && !b.length) { return 1; }
    return 2 * common(a, b).filter(Boolean).length / (a.length + b.length);
  }
  function merged(pieces) {
    var out = [];
    pieces.forEach(function (p) {
      if (out.length && out[out.length - 1][1] === p[1]) { out[out.length - 1][0] += p[0]; }
      else if (p[0]) { out.push([p[0], p[1]]); }
    });
    return out;
  }
  function wordSegments(before, after) {
    var b = words(after), kept = common(keys(before), b.map(function (w) { return key(w[1]); })), j, pieces = [];
    for (j = 1; j < b.length - 1; j += 1) {
      if (kept[j] && !kept[j - 1] && !kept[j + 1] && key(b[j][1]).length <= 3) { kept[j] = false; }
    }
    b.forEach(function (w, j) {
      pieces.push([w[0], !kept[j] && j > 0 && !kept[j - 1]], [w[1], !kept[j]]);
    });
    return merged(pieces);
  }
  function itemLines(text) {
    var lines = text.split("\n").map(function (line) {
      var m = ITEM.exec(line);
      return m ? [m[1], m[2]] : ["", line];
    });
    return lines.filter(function (l) { return l[0]; }).length >= 2 ? lines : null;
  }
  // [[text, isNew], ...]; nothing is new when the text is written afresh rather than changed.
  function changes(before, after) {
    if (before === null || before === undefined) { return [[after, false]]; }
    var items = itemLines(after);
    if (!items) {
      return similarity(keys(before), keys(after)) < SIMILAR ? [[after, false]] : wordSegments(before, after);
    }
    var oldItems = (itemLines(before) || before.split("\n").map(function (l) { return ["", l]; }))
      .map(function (l) { return l[1]; }).filter(function (rest) { return rest.trim(); });
    var oldKeys = oldItems.map(keys), pieces = [], withWords = 0, fresh = 0;
    items.forEach(function (item, index) {
      var rest = item[1], k = keys(rest), best = -1, score = 0;
      pieces.push([(index ? "\n" : "") + item[0], false]);
      if (!k.length) { pieces.push([rest, false]); return; }
      withWords += 1;
      oldKeys.forEach(function (ok, o) {
        var s = similarity(ok, k);
        if (best < 0 || s > score) { best = o; score = s; }
      });
      if (best < 0 || score < SIMILAR) { pieces.push([rest, true]); fresh += 1; }
      else if (score === 1) { pieces.push([rest, false]); }
      else { pieces = pieces.concat(wordSegments(oldItems[best], rest)); }
    });
    return fresh === withWords ? [[after, false]] : merged(pieces);
  }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  var marks = Array.prototype.slice.call(document.querySelectorAll(".mk-marks"));
  function showChanges() { return document.documentElement.classList.contains("show-changes"); }
  marks.forEach(function (box) {
    box.addEventListener("change", function () {
      marks.forEach(function (other) { other.checked = box.checked; });
      document.documentElement.classList.toggle("show-changes", box.checked);
      compare();
    });
  });

  function rating(value, scale) {
    if (value === undefined || value === null) { return "not rated at this level"; }
    var filled = Math.max(0, Math.min(value, scale.max) - scale.min + 1), label = scale.labels[value];
    return new Array(filled + 1).join("●") + new Array(scale.max - scale.min + 2 - filled).join("○") + " " +
      value + (label ? " " + label : "");
  }
  function pick(select) {
    var parts = select.value.split(":"), family = data.families[+parts[0]];
    return { family: family, level: family.levels[+parts[1]] };
  }
  function levelName(side) { return side.level.id + " " + side.level.title; }
  var selA = document.getElementById("mk-compare-a"), selB = document.getElementById("mk-compare-b");
  var result = document.getElementById("mk-compare-result");
  // One competency (or the scope): its heading, then each level's rating and text, side by side on a
  // wide screen and one below the other on a phone (page.css .pair).
  function block(heading, note, a, b, textA, textB, ratingA, ratingB) {
    var box = el("div", null, "cmp"), h = box.appendChild(el("h4", heading));
    if (note) { h.appendChild(document.createTextNode(" ")); h.appendChild(el("span", note, note === "same" ? "muted" : "change")); }
    var pair = box.appendChild(el("div", null, "pair"));
    [[a, textA, ratingA, false], [b, textB, ratingB, true]].forEach(function (side) {
      var col = pair.appendChild(el("div", null, "side")), head = col.appendChild(el("p", null, "side-head"));
      head.appendChild(el("span", side[0].level.id, "lid"));
      head.appendChild(document.createTextNode(" " + side[0].level.title + (side[2] ? ": " : "")));
      if (side[2]) { head.appendChild(el("span", side[2], "rating")); }
      var text = col.appendChild(el("p", null, "text"));
      if (side[1] === undefined || side[1] === null) {
        text.appendChild(el("span", "No description at " + side[0].level.id + ".", "muted"));
      } else if (side[3] && showChanges()) {
        var parts = changes(textA === undefined ? null : textA, side[1]);
        parts.forEach(function (p) { text.appendChild(p[1] ? el("ins", p[0]) : document.createTextNode(p[0])); });
        if (textA && textA !== side[1] && !parts.some(function (p) { return p[1]; })) {
          col.appendChild(el("p", "Written afresh at " + side[0].level.id + ", so no words are marked.", "reworded"));
        }
      } else {
        text.textContent = side[1];
      }
    });
    return box;
  }
  function compare() {
    var a = pick(selA), b = pick(selB), seen = {}, ids = [], higher = 0, same = 0;
    [a, b].forEach(function (side) {
      side.family.competencies.forEach(function (c) {
        if (!seen[c.id] && (c.id in side.level.expected || c.id in side.level.descriptions)) {
          seen[c.id] = c.name; ids.push(c.id);
        }
      });
    });
    result.textContent = "";
    result.appendChild(el("h3", levelName(a) + " compared with " + levelName(b)));
    var summary = result.appendChild(el("p", null, "cmp-summary"));
    result.appendChild(block("Track and scope", null, a, b,
      a.level.track + (a.level.scope ? "\n" + a.level.scope : ""),
      b.level.track + (b.level.scope ? "\n" + b.level.scope : ""), null, null));
    ids.forEach(function (id) {
      var va = a.level.expected[id], vb = b.level.expected[id], note = null;
      if (typeof va === "number" && typeof vb === "number") {
        if (va === vb) { note = "same"; same += 1; }
        else { note = (vb > va ? "▲ +" : "▼ ") + (vb - va); higher += vb > va ? 1 : 0; }
      }
      result.appendChild(block(seen[id], note, a, b, a.level.descriptions[id], b.level.descriptions[id],
        rating(va, a.family.scale), rating(vb, b.family.scale)));
    });
    summary.textContent = levelName(b) + " expects more in " + higher + " of " + ids.length + " competencies" +
      (same ? " and the same in " + same : "") + ".";
  }
  selA.addEventListener("change", compare);
  selB.addEventListener("change", compare);
  document.getElementById("mk-compare-form").addEventListener("submit", function (e) {
    e.preventDefault(); compare();
  });
  compare();
}());
