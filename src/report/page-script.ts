/**
 * The report page's script, inlined into report.html. It reads the embedded JSON and builds every element
 * with the DOM API: text (document content, values, ids, attribute names) only ever goes in through text
 * nodes, never through markup, so a document holding `<script>` or `<img onerror>` is shown, not run.
 * It is plain browser JavaScript kept in a string (no backquotes or dollar-brace inside) so the page needs
 * no build step; test/report.test.ts checks that it parses and the browser tests check what it does.
 */
export const PAGE_SCRIPT = String.raw`
(function () {
'use strict';
var DATA = JSON.parse(document.getElementById('report-data').textContent);
var ROW_H = 30;
var ATTRS = DATA.attributes;
var FNS = DATA.functions;
var ROWS = DATA.rows;
var SERVED = location.protocol === 'http:' || location.protocol === 'https:';

// ---------- small helpers ----------
function h(tag, props) {
  var el = document.createElement(tag);
  if (props) {
    for (var key in props) {
      var value = props[key];
      if (value === null || value === undefined || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key === 'text') el.textContent = String(value);
      else if (key === 'style') Object.assign(el.style, value);
      else if (key.slice(0, 2) === 'on') {
        if (typeof value !== 'function') throw new Error('event handler must be a function');
        el.addEventListener(key.slice(2), value);
      } else el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  for (var i = 2; i < arguments.length; i++) add(el, arguments[i]);
  return el;
}
function add(el, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) { for (var i = 0; i < child.length; i++) add(el, child[i]); return; }
  el.append(typeof child === 'object' ? child : document.createTextNode(String(child)));
}
var SVGNS = 'http://www.w3.org/2000/svg';
function s(tag, attrs) {
  var el = document.createElementNS(SVGNS, tag);
  for (var key in attrs) if (key === 'text') el.textContent = String(attrs[key]); else el.setAttribute(key, String(attrs[key]));
  for (var i = 2; i < arguments.length; i++) if (arguments[i]) el.append(arguments[i]);
  return el;
}
function fmtInt(n) { return n === null || n === undefined ? '-' : Math.round(n).toLocaleString('en-US'); }
function pct(x) { return x === null || x === undefined ? '-' : (100 * x).toFixed(0) + '%'; }
function num(x, digits) { return x === null || x === undefined ? '-' : x.toFixed(digits === undefined ? 2 : digits); }
function secs(x) { return x < 1 ? (1000 * x).toFixed(0) + ' ms' : x < 90 ? x.toFixed(1) + ' s' : Math.floor(x / 60) + ' min ' + Math.round(x % 60) + ' s'; }
function usd(x) { return x === null || x === undefined ? 'unknown' : '$' + (x < 0.01 && x > 0 ? x.toFixed(4) : x.toFixed(2)); }
function confColor(c) {
  var hue = Math.max(0, Math.min(1, (c - 0.3) / 0.7)) * 125;
  return 'hsl(' + hue.toFixed(0) + ', 72%, ' + (c >= 0.999 ? 91 : 88) + '%)';
}
function valueText(v) { return v === null || v === undefined ? '(empty)' : v.join('; '); }
function sameValue(a, b) { return JSON.stringify(a || null) === JSON.stringify(b || null); }
function valueChips(v, kind) {
  return h('span', { class: 'chips' }, v ? v.map(function (item) { return h('span', { class: 'chip ' + kind, text: item }); }) : h('span', { class: 'chip', text: '(empty)' }));
}
function confBadge(c) { return h('span', { class: 'conf', style: { background: confColor(c) }, title: 'confidence', text: num(c) }); }

// ---------- derived data ----------
var lowered = ROWS.map(function (row) {
  return row.c.map(function (cell) { return cell.v ? cell.v.join(' ').toLowerCase() : ''; });
});
var loweredDoc = ROWS.map(function (row) { return row.d.toLowerCase(); });
var hasGold = DATA.evaluation !== null;
// Per function: documents it voted on (for any value) and those where its value was chosen.
var fnVotes = FNS.map(function () { return 0; });
var fnWins = FNS.map(function () { return 0; });
ROWS.forEach(function (row) {
  row.c.forEach(function (cell) {
    (cell.f || []).forEach(function (f) { fnWins[f]++; });
    if (cell.k) cell.k.forEach(function (candidate) { candidate[2].forEach(function (f) { fnVotes[f]++; }); });
    else (cell.f || []).forEach(function (f) { fnVotes[f]++; });
  });
});

var state = { query: '', attr: -1, show: 'all', threshold: 0.7, sortCol: -1, sortMode: 'asc', order: [], selected: null };

function isLow(cell) { return cell.c < state.threshold && (cell.v !== undefined || (cell.f !== undefined && cell.f.length > 0)); }
function isDisagreed(cell) { return cell.k !== undefined && cell.k.length > 1; }
// A runner-up the label model gives real weight to, not just a stray vote.
function isContested(cell) { return isDisagreed(cell) && cell.k.some(function (candidate) { return !sameValue(candidate[0], cell.v) && candidate[1] >= 0.1; }); }
function isWrong(cell) { return cell.e !== undefined && cell.e < 1; }
var TESTS = { all: function () { return true; }, low: isLow, disagreed: isDisagreed, empty: function (cell) { return cell.v === undefined; }, wrong: isWrong };

function countCells(attr, test) {
  var n = 0;
  for (var i = 0; i < ROWS.length; i++) if (test(ROWS[i].c[attr])) n++;
  return n;
}

// ---------- filtering and sorting ----------
function computeOrder() {
  var query = state.query.trim().toLowerCase();
  var test = TESTS[state.show];
  var attrs = state.attr === -1 ? ATTRS.map(function (_, i) { return i; }) : [state.attr];
  var order = [];
  for (var r = 0; r < ROWS.length; r++) {
    var row = ROWS[r];
    var shown = false;
    for (var j = 0; j < attrs.length && !shown; j++) if (test(row.c[attrs[j]])) shown = true;
    if (!shown) continue;
    if (query) {
      var found = loweredDoc[r].indexOf(query) >= 0;
      for (var k = 0; k < attrs.length && !found; k++) if (lowered[r][attrs[k]].indexOf(query) >= 0) found = true;
      if (!found) continue;
    }
    order.push(r);
  }
  var col = state.sortCol;
  var mode = state.sortMode;
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  if (col === -1) {
    order.sort(function (a, b) { return collator.compare(ROWS[a].d, ROWS[b].d) * (mode === 'desc' ? -1 : 1); });
  } else if (mode === 'value') {
    order.sort(function (a, b) {
      var va = ROWS[a].c[col].v, vb = ROWS[b].c[col].v;
      if (!va || !vb) return (va ? 0 : 1) - (vb ? 0 : 1) || a - b;
      return collator.compare(va.join('; '), vb.join('; ')) || a - b;
    });
  } else {
    // Cells nobody voted on go last, so sorting by confidence brings the doubtful values to the top.
    var key = function (cell) { return cell.v === undefined && !cell.f ? 2 : cell.c; };
    order.sort(function (a, b) {
      var ka = key(ROWS[a].c[col]), kb = key(ROWS[b].c[col]);
      if (ka === 2 || kb === 2) return (ka === 2 ? 1 : 0) - (kb === 2 ? 1 : 0) || a - b;
      return (mode === 'desc' ? kb - ka : ka - kb) || a - b;
    });
  }
  state.order = order;
}

// ---------- page skeleton ----------
var root = document.getElementById('app');
var run = DATA.run;
var usage = run.usage;
var allCells = ROWS.length * ATTRS.length;
var lowTotal = 0, disagreedTotal = 0;
ATTRS.forEach(function (_, a) { lowTotal += countCells(a, isLow); disagreedTotal += countCells(a, isDisagreed); });
var totalSeconds = Object.keys(run.stageSeconds).reduce(function (sum, k) { return sum + run.stageSeconds[k]; }, 0);
var corpusName = run.corpus ? run.corpus.split('/').filter(Boolean).pop() : 'run';
document.title = 'evaporate report: ' + corpusName;

function fact(label, value, warn, title) {
  return h('div', { class: 'fact' + (warn ? ' warn' : ''), title: title || null }, h('b', { text: value }), h('span', { text: label }));
}
var tokens = usage ? usage.total.promptTokens + usage.total.completionTokens : 0;
var cachedTokens = usage ? usage.total.cachedPromptTokens + usage.total.cachedCompletionTokens : 0;
var facts = h('div', { class: 'facts' },
  fact('documents', fmtInt(run.documents)),
  fact('skipped files', fmtInt(run.skippedTotal), run.skippedTotal > 0),
  fact('rows', fmtInt(run.rows)),
  fact('attributes', fmtInt(ATTRS.length)),
  fact('low-confidence cells', fmtInt(lowTotal), lowTotal > 0, 'cells with a value (or votes) and confidence under ' + state.threshold),
  fact('disagreed cells', fmtInt(disagreedTotal), false, 'cells where functions proposed more than one value'),
  fact('model calls', usage ? fmtInt(usage.total.calls) : '0', false, usage ? fmtInt(usage.total.liveCalls) + ' live, ' + fmtInt(usage.total.cachedCalls) + ' cached' : 'no model'),
  fact('tokens (cached)', usage ? fmtInt(tokens) + ' (' + fmtInt(cachedTokens) + ')' : '0'),
  fact('cost', usage ? usd(usage.total.costUsd) : '$0'),
  fact('time', secs(totalSeconds)),
  hasGold ? fact('average F1', pct(DATA.evaluation.averageF1)) : null
);
var subtitle = [run.corpus || run.runDir, 'method ' + (run.method || '?'), 'functions by ' + (run.synthesizer || '?'),
  run.model ? 'model ' + run.model.model : 'no model', 'generated ' + DATA.generatedAt.replace('T', ' ').slice(0, 16) + ' UTC'].join('  ·  ');

var tabButtons = {};
var sections = {};
function tab(name, label) {
  tabButtons[name] = h('button', { role: 'tab', 'aria-selected': 'false', id: 'tab-' + name, onclick: function () { showTab(name); } }, label);
  return tabButtons[name];
}
function showTab(name) {
  for (var key in sections) {
    sections[key].hidden = key !== name;
    tabButtons[key].setAttribute('aria-selected', key === name ? 'true' : 'false');
  }
  if (name === 'table') renderRows();
}
root.append(h('header', { class: 'top' },
  h('h1', { text: 'Extraction review' }),
  h('div', { class: 'sub', text: subtitle }),
  facts,
  h('nav', { class: 'tabs', role: 'tablist' }, tab('table', 'Table'), tab('functions', 'Attributes and functions'), tab('run', 'Run'))
));
var main = h('main');
root.append(main);
sections.table = h('section', { id: 'section-table' });
sections.functions = h('section', { id: 'section-functions' });
sections.run = h('section', { id: 'section-run' });
main.append(sections.table, sections.functions, sections.run);

var noteLines = DATA.notes.slice();
if (DATA.views.mode !== 'full') noteLines.push(SERVED && DATA.views.mode === 'window' ? 'Whole documents load from the corpus folder as you open them (served by evaporate report --serve).' : DATA.views.note);
if (noteLines.length) sections.table.append(h('div', { class: 'notes', id: 'notes' }, noteLines.map(function (line) { return h('p', { text: line }); })));

// ---------- charts ----------
function histogram(attr, width, height) {
  var bins = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], empty = 0;
  ROWS.forEach(function (row) {
    var cell = row.c[attr];
    if (cell.v === undefined) empty++;
    else bins[Math.min(9, Math.floor(cell.c * 10))]++;
  });
  var max = Math.max.apply(null, bins.concat([empty, 1]));
  var plot = height - 13, slot = (width - 10) / 11, x0 = slot + 10;
  var svg = s('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, role: 'img', class: 'hist' });
  svg.append(s('title', { text: ATTRS[attr].name + ': how many cells have each confidence (tenths from 0 to 1); the grey bar counts empty cells' }));
  var bar = function (x, count, fill, label) {
    var bh = count === 0 ? 0 : Math.max(1.5, plot * count / max);
    svg.append(s('rect', { x: x.toFixed(1), y: (plot - bh).toFixed(1), width: (slot - 2).toFixed(1), height: bh.toFixed(1), fill: fill, rx: 1 }, s('title', { text: label + ': ' + fmtInt(count) + ' cells' })));
  };
  bar(0, empty, '#c3c8d2', 'empty');
  bins.forEach(function (count, i) { bar(x0 + i * slot, count, confColor((i + 0.5) / 10).replace(/(\d+)%\)$/, '60%)'), 'confidence ' + (i / 10).toFixed(1) + ' to ' + ((i + 1) / 10).toFixed(1)); });
  svg.append(s('line', { x1: 0, x2: width, y1: plot + 0.5, y2: plot + 0.5, stroke: '#d0d5dd' }));
  svg.append(s('text', { x: slot / 2, y: height - 1, 'text-anchor': 'middle', text: '∅' }),
    s('text', { x: x0, y: height - 1, text: '0' }), s('text', { x: x0 + 5 * slot, y: height - 1, 'text-anchor': 'middle', text: '0.5' }),
    s('text', { x: width - 2, y: height - 1, 'text-anchor': 'end', text: '1' }));
  return svg;
}
/** Horizontal bars: items [{label, parts: [{value, fill, name}]}]. */
function barChart(title, items, unit) {
  var width = 520, labelW = 130, rowH = 22, top = 22;
  var max = Math.max.apply(null, items.map(function (item) { return item.parts.reduce(function (t, p) { return t + p.value; }, 0); }).concat([1e-9]));
  var height = top + items.length * rowH + 8;
  var svg = s('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, role: 'img' });
  svg.append(s('text', { x: 0, y: 14, class: 'title', text: title }));
  items.forEach(function (item, i) {
    var y = top + i * rowH;
    var label = item.label.length > 20 ? item.label.slice(0, 19) + '…' : item.label;
    svg.append(s('text', { x: labelW - 8, y: y + 14, 'text-anchor': 'end', text: label }, s('title', { text: item.label })));
    var x = labelW, total = 0;
    item.parts.forEach(function (part) {
      var w = (width - labelW - 90) * part.value / max;
      svg.append(s('rect', { x: x.toFixed(1), y: y + 3, width: Math.max(0, w).toFixed(1), height: rowH - 8, fill: part.fill }, s('title', { text: part.name + ': ' + unit(part.value) })));
      x += w;
      total += part.value;
    });
    svg.append(s('text', { x: (x + 6).toFixed(1), y: y + 14, text: unit(total) }));
  });
  return svg;
}
function legend(entries) {
  return h('div', { class: 'legend', style: { marginLeft: '0' } }, entries.map(function (e) { return [h('i', { style: { background: e[1] } }), h('span', { text: e[0] + '  ' })]; }));
}

// ---------- table tab ----------
var overview = h('div', { class: 'overview', id: 'overview' });
ATTRS.forEach(function (attr, a) {
  var low = countCells(a, isLow), dis = countCells(a, isDisagreed), wrong = hasGold ? countCells(a, isWrong) : 0;
  var f1 = hasGold ? DATA.evaluation.attributes.find(function (x) { return x.column === attr.name; }) : null;
  var jump = function (show) { return function () { setFilters(a, show); }; };
  overview.append(h('div', { class: 'card' },
    h('h3', { text: attr.name, title: attr.description || null }),
    h('div', { class: 'stats' },
      h('span', null, 'coverage ', h('b', { text: pct(attr.coverage) })),
      h('span', null, 'confidence ', h('b', { text: num(attr.meanConfidence) })),
      f1 ? h('span', null, 'F1 ', h('b', { text: pct(f1.f1) })) : h('span', null, 'kept ', h('b', { text: attr.kept.length + '/' + attr.candidates }))),
    histogram(a, 188, 46),
    h('div', { class: 'links' },
      h('button', { class: 'linkish', disabled: low === 0, onclick: jump('low') }, fmtInt(low) + ' low'),
      h('button', { class: 'linkish', disabled: dis === 0, onclick: jump('disagreed') }, fmtInt(dis) + ' disagreed'),
      hasGold ? h('button', { class: 'linkish', disabled: wrong === 0, onclick: jump('wrong') }, fmtInt(wrong) + ' wrong') : null)
  ));
});
sections.table.append(overview);

var search = h('input', { type: 'search', id: 'search', placeholder: 'Search documents and values', 'aria-label': 'Search documents and values' });
var attrSelect = h('select', { id: 'attr-filter', 'aria-label': 'Attribute' }, h('option', { value: '-1', text: 'any attribute' }),
  ATTRS.map(function (attr, i) { return h('option', { value: String(i), text: attr.name }); }));
var showSelect = h('select', { id: 'show-filter', 'aria-label': 'Show' },
  h('option', { value: 'all', text: 'all cells' }), h('option', { value: 'low', text: 'low confidence' }),
  h('option', { value: 'disagreed', text: 'disagreed (several candidates)' }), h('option', { value: 'empty', text: 'empty' }),
  hasGold ? h('option', { value: 'wrong', text: 'wrong against gold' }) : null);
var threshold = h('input', { type: 'number', id: 'threshold', min: '0', max: '1', step: '0.05', value: String(state.threshold), 'aria-label': 'Low-confidence threshold' });
var rowCount = h('span', { id: 'row-count' });
var searchTimer = 0;
search.addEventListener('input', function () { clearTimeout(searchTimer); searchTimer = setTimeout(function () { state.query = search.value; refresh(); }, 120); });
attrSelect.addEventListener('change', function () { state.attr = Number(attrSelect.value); refresh(); });
showSelect.addEventListener('change', function () { state.show = showSelect.value; refresh(); });
threshold.addEventListener('change', function () {
  var value = Number(threshold.value);
  if (value >= 0 && value <= 1) { state.threshold = value; refresh(); }
});
function setFilters(attr, show) {
  state.attr = attr; state.show = show;
  attrSelect.value = String(attr); showSelect.value = show;
  if (attr >= 0) { state.sortCol = attr; state.sortMode = 'asc'; }
  showTab('table');
  refresh();
}
sections.table.append(h('div', { class: 'toolbar' },
  search,
  h('label', null, 'in', attrSelect),
  h('label', null, 'show', showSelect),
  h('label', null, 'low below', threshold),
  rowCount,
  h('div', { class: 'legend' }, 'confidence', h('i', { style: { background: confColor(0.3) } }), '0.3',
    h('i', { style: { background: confColor(0.65) } }), '0.65', h('i', { style: { background: confColor(1) } }), '1',
    h('span', { class: 'badge-sample', text: '2' }), h('span', { class: 'badge-sample contested', style: { marginLeft: '3px' }, text: '2' }), 'competing values (filled: a close second)')
));

var columns = 'minmax(200px, 1.3fr) ' + ATTRS.map(function () { return 'minmax(140px, 1fr)'; }).join(' ');
var minWidth = (200 + 140 * ATTRS.length) + 'px';
var head = h('div', { class: 'grid-head', role: 'row', style: { gridTemplateColumns: columns, minWidth: minWidth } });
var body = h('div', { class: 'grid-body', role: 'rowgroup' });
var grid = h('div', { class: 'grid', id: 'grid', role: 'grid', tabindex: '0', 'aria-rowcount': String(ROWS.length) }, head, body);
var detail = h('aside', { class: 'detail', id: 'detail', 'aria-live': 'polite' });
sections.table.append(h('div', { class: 'table-wrap' }, grid, detail));

var SORT_LABEL = { asc: 'confidence ↑', desc: 'confidence ↓', value: 'A-Z' };
function renderHead() {
  head.replaceChildren();
  var docLabel = state.sortCol === -1 ? (state.sortMode === 'desc' ? 'Z-A' : 'A-Z') : '';
  head.append(h('button', { role: 'columnheader', 'data-col': '-1', title: 'sort by document', onclick: function () { sortBy(-1); } }, 'document', h('span', { class: 'dir', text: docLabel })));
  ATTRS.forEach(function (attr, i) {
    head.append(h('button', { role: 'columnheader', 'data-col': String(i), title: 'sort ' + attr.name + ': confidence up, down, then by value',
      onclick: function () { sortBy(i); } }, attr.name, h('span', { class: 'dir', text: state.sortCol === i ? SORT_LABEL[state.sortMode] : '' })));
  });
}
function sortBy(col) {
  if (state.sortCol !== col) { state.sortCol = col; state.sortMode = 'asc'; }
  else if (col === -1) state.sortMode = state.sortMode === 'asc' ? 'desc' : 'asc';
  else state.sortMode = state.sortMode === 'asc' ? 'desc' : state.sortMode === 'desc' ? 'value' : 'asc';
  refresh();
}
function refresh() {
  computeOrder();
  renderHead();
  rowCount.textContent = fmtInt(state.order.length) + ' of ' + fmtInt(ROWS.length) + ' rows';
  body.style.height = (state.order.length * ROW_H) + 'px';
  body.style.minWidth = minWidth;
  grid.scrollTop = Math.min(grid.scrollTop, Math.max(0, state.order.length * ROW_H - grid.clientHeight));
  renderRows();
}
function renderRows() {
  body.replaceChildren();
  if (state.order.length === 0) {
    body.append(h('div', { class: 'empty-state', text: ROWS.length === 0 ? 'The run has no result rows.' : 'No rows match the filters.' }));
    return;
  }
  var headH = head.offsetHeight;
  var first = Math.max(0, Math.floor((grid.scrollTop - headH) / ROW_H) - 4);
  var last = Math.min(state.order.length, first + Math.ceil((grid.clientHeight || 800) / ROW_H) + 8);
  for (var p = first; p < last; p++) body.append(renderRow(state.order[p], p));
}
function renderRow(r, position) {
  var row = ROWS[r];
  var el = h('div', { class: 'grid-row', role: 'row', 'data-row': String(r), style: { top: (position * ROW_H) + 'px', gridTemplateColumns: columns } },
    h('div', { class: 'doc mono', role: 'rowheader', title: row.d, text: row.d }));
  row.c.forEach(function (cell, a) {
    var classes = 'cell' + (cell.v === undefined && !cell.f ? ' empty' : '') + (isWrong(cell) ? ' wrong' : '');
    if (state.selected && state.selected.row === r && state.selected.attr === a) classes += ' sel';
    var tip = ATTRS[a].name + ': ' + valueText(cell.v) + '\nconfidence ' + num(cell.c) + (cell.k ? '\n' + cell.k.length + ' competing values' : '') + (cell.g ? '\ngold: ' + valueText(cell.g) : '');
    el.append(h('div', { class: classes, role: 'gridcell', 'data-attr': String(a), title: tip,
      style: cell.v === undefined && !cell.f ? null : { background: confColor(cell.c) } },
      cell.v === undefined ? (cell.f ? '(empty)' : '-') : cell.v.join('; '),
      isDisagreed(cell) ? h('span', { class: 'badge' + (isContested(cell) ? ' contested' : ''), text: String(cell.k.length) }) : null));
  });
  return el;
}
var scrollPending = false;
grid.addEventListener('scroll', function () {
  if (scrollPending) return;
  scrollPending = true;
  requestAnimationFrame(function () { scrollPending = false; renderRows(); });
});
window.addEventListener('resize', function () { renderRows(); });
body.addEventListener('click', function (event) {
  var cellEl = event.target.closest('.cell');
  var rowEl = event.target.closest('.grid-row');
  if (!rowEl) return;
  select(Number(rowEl.getAttribute('data-row')), cellEl ? Number(cellEl.getAttribute('data-attr')) : (state.selected ? state.selected.attr : 0));
});
grid.addEventListener('keydown', function (event) {
  if (!state.selected || state.order.length === 0) return;
  var position = state.order.indexOf(state.selected.row), attr = state.selected.attr;
  if (event.key === 'ArrowDown') position = Math.min(state.order.length - 1, position + 1);
  else if (event.key === 'ArrowUp') position = Math.max(0, position - 1);
  else if (event.key === 'ArrowRight') attr = Math.min(ATTRS.length - 1, attr + 1);
  else if (event.key === 'ArrowLeft') attr = Math.max(0, attr - 1);
  else return;
  event.preventDefault();
  select(state.order[Math.max(0, position)], attr);
  scrollToRow(state.selected.row);
});
function scrollToRow(r) {
  var position = state.order.indexOf(r);
  if (position < 0) return;
  var top = position * ROW_H, headH = head.offsetHeight;
  if (top < grid.scrollTop) grid.scrollTop = top;
  else if (top + ROW_H + headH > grid.scrollTop + grid.clientHeight) grid.scrollTop = top + ROW_H + headH - grid.clientHeight;
}
function select(r, attr) {
  if (ATTRS.length === 0) return;
  state.selected = { row: r, attr: attr };
  renderRows();
  renderDetail();
}

// ---------- detail panel ----------
var fullViews = new Map();
function fnTag(f) {
  var fn = FNS[f];
  var tip = [fn.id, fn.origin ? 'origin ' + fn.origin : null, fn.strategy, fn.accuracy !== null ? 'estimated accuracy ' + num(fn.accuracy) : null,
    fn.sampleF1 !== null ? 'sample F1 ' + num(fn.sampleF1) : null].filter(Boolean).join('\n');
  return h('span', { class: 'voter ' + (fn.origin || ''), title: tip, text: fn.id + (fn.accuracy !== null ? ' ' + num(fn.accuracy) : '') });
}
function renderDetail() {
  var sel = state.selected;
  detail.replaceChildren();
  if (!sel) {
    detail.append(h('p', { class: 'muted', text: 'Click a cell to see its document with the value highlighted, and the values that competed for it. Arrow keys move between cells.' }));
    return;
  }
  var row = ROWS[sel.row], cell = row.c[sel.attr], attr = ATTRS[sel.attr];
  detail.append(h('h2', { text: attr.name }), h('div', { class: 'doc-id mono', text: row.d }));
  detail.append(h('div', null, h('span', { class: 'muted', text: 'confidence ' }), confBadge(cell.c),
    cell.k ? h('span', { class: 'muted', text: '  ' + cell.k.length + ' competing values' }) : null));
  detail.append(h('div', { id: 'detail-value' }, valueChips(cell.v, 'hit')));
  if (cell.g) {
    detail.append(h('div', null, h('span', { class: 'muted', text: 'gold ' }),
      h('span', { class: 'conf', style: { background: confColor(cell.e) }, title: 'text F1 against gold', text: 'F1 ' + num(cell.e) })),
      valueChips(cell.g.length ? cell.g : null, 'gold'));
  }
  if (cell.k) {
    detail.append(h('h3', { text: 'Competing values' }));
    var table = h('table', { class: 'plain', id: 'candidates' }, h('tr', null, h('th', { text: 'value' }), h('th', { class: 'num', text: 'probability' }), h('th', { text: 'voters (estimated accuracy)' })));
    cell.k.forEach(function (candidate) {
      var chosen = sameValue(candidate[0], cell.v);
      table.append(h('tr', { class: chosen ? 'chosen' : null },
        h('td', null, valueChips(candidate[0], chosen ? 'hit' : 'alt'), chosen ? h('span', { class: 'small muted', text: 'chosen' }) : null),
        h('td', { class: 'num' }, h('span', { class: 'bar', style: { width: Math.round(40 * candidate[1]) + 'px' } }), num(candidate[1])),
        h('td', null, h('div', { class: 'voters' }, candidate[2].map(fnTag)))));
    });
    detail.append(table);
  } else if (cell.f) {
    detail.append(h('h3', { text: 'Voters' }), h('p', { class: 'small muted', text: cell.f.length === 1 ? 'One function returned this value.' : 'All ' + cell.f.length + ' functions that returned a value agree.' }),
      h('div', { class: 'voters' }, cell.f.map(fnTag)));
  } else {
    detail.append(h('p', { class: 'small muted', text: 'No kept function returned a value for this document.' }));
  }
  detail.append(renderView(row, cell));
  detail.append(h('h3', { text: 'Other attributes of this document' }), h('div', { class: 'mini' }, row.c.map(function (other, a) {
    if (a === sel.attr) return null;
    return h('button', { class: 'linkish', onclick: function () { select(sel.row, a); } }, ATTRS[a].name + ': ' + valueText(other.v).slice(0, 60));
  })));
}

function currentView(row) {
  var full = fullViews.get(row.d);
  if (full && full.error === undefined) return { n: full.view.length, format: full.format, p: [[0, full.view]], full: true };
  if (!row.w) return null;
  var whole = row.w.p.length === 1 && row.w.p[0][0] === 0 && row.w.p[0][1].length === row.w.n;
  return { n: row.w.n, format: row.w.format, p: row.w.p, full: whole };
}
// The value's PDF page, rendered by pdf.js (served by evaporate report --serve) with the value's box drawn on it.
function pdfPage(doc, pageNumber, rect) {
  var holder = h('div', { class: 'pdf-page' });
  var say = function (message) { holder.replaceChildren(h('p', { class: 'small muted', text: message })); };
  var button = h('button', { type: 'button', class: 'pdf-show', text: 'Show PDF page ' + pageNumber, onclick: function () {
    button.disabled = true;
    button.textContent = 'Rendering page ' + pageNumber + '...';
    var bytes = fetch('api/pdf?doc=' + encodeURIComponent(doc)).then(function (response) {
      if (!response.ok) throw new Error('the server could not give the PDF (' + response.status + ')');
      return response.arrayBuffer();
    });
    Promise.all([import('./pdfjs.mjs'), bytes]).then(function (loaded) {
      return loaded[0].getDocument({ data: new Uint8Array(loaded[1]), isEvalSupported: false }).promise;
    }).then(function (pdf) { return pdf.getPage(pageNumber); }).then(function (page) {
      var viewport = page.getViewport({ scale: 1.5 });
      var canvas = h('canvas', { class: 'pdf-canvas', 'data-page': pageNumber });
      canvas.width = Math.ceil(viewport.width);
      canvas.height = Math.ceil(viewport.height);
      var context = canvas.getContext('2d');
      return page.render({ canvasContext: context, viewport: viewport }).promise.then(function () {
        if (rect) {
          var t = viewport.transform;
          var point = function (x, y) { return [t[0] * x + t[2] * y + t[4], t[1] * x + t[3] * y + t[5]]; };
          var r = point(rect[0], rect[1]).concat(point(rect[2], rect[3]));
          var x = Math.min(r[0], r[2]) - 2, y = Math.min(r[1], r[3]) - 2, w = Math.abs(r[2] - r[0]) + 4, ht = Math.abs(r[3] - r[1]) + 4;
          context.fillStyle = 'rgba(255, 196, 0, 0.35)';
          context.fillRect(x, y, w, ht);
          context.strokeStyle = 'rgb(214, 110, 0)';
          context.lineWidth = 2;
          context.strokeRect(x, y, w, ht);
          canvas.setAttribute('data-box', [x, y, w, ht].map(Math.round).join(','));
        }
        holder.replaceChildren(canvas);
      });
    }).catch(function (error) { say('Could not render the page: ' + (error && error.message ? error.message : String(error))); });
  } });
  holder.append(button);
  return holder;
}
function renderView(row, cell) {
  var box = h('div', { id: 'view-box' });
  var view = currentView(row);
  if (SERVED && (!view || !view.full)) loadFullView(row.d);
  var missing = DATA.views.missing.find(function (m) { return m.doc === row.d; });
  box.append(h('h3', { text: 'Document view' + (view ? ' (' + view.format + ', ' + fmtInt(view.n) + ' characters' + (view.full ? '' : ', excerpts') + ')' : '') }));
  if (!view) {
    var failed = fullViews.get(row.d);
    box.append(h('p', { class: 'small muted', text: missing ? 'This document could not be read: ' + missing.reason : failed && failed.error !== undefined ? 'The document could not be loaded: ' + failed.error : SERVED ? 'Loading the document...' : DATA.views.note }));
    return box;
  }
  var ranges = [];
  (cell.s || []).forEach(function (span) { ranges.push([span[0], span[1], 'hit']); });
  var text = function (part) { return part[1]; };
  var findAll = function (value, kind) {
    if (!value) return;
    view.p.forEach(function (part) {
      var from = 0, found = 0, at;
      while (found < 20 && value !== '' && (at = text(part).indexOf(value, from)) >= 0) {
        ranges.push([part[0] + at, part[0] + at + value.length, kind]);
        from = at + value.length; found++;
      }
    });
  };
  (cell.k || []).forEach(function (candidate) { if (!sameValue(candidate[0], cell.v)) (candidate[0] || []).forEach(function (item) { findAll(item, 'alt'); }); });
  (cell.g || []).forEach(function (item) { if (!cell.v || cell.v.indexOf(item) < 0) findAll(item, 'gold'); });
  var rank = { hit: 0, gold: 1, alt: 2 };
  ranges.sort(function (a, b) { return a[0] - b[0] || rank[a[2]] - rank[b[2]]; });
  var kept = [];
  ranges.forEach(function (range) { var last = kept[kept.length - 1]; if (!last || range[0] >= last[1]) kept.push(range); });
  var present = {};
  kept.forEach(function (range) { present[range[2]] = true; });
  box.append(h('div', { class: 'chips small' },
    present.hit ? h('span', { class: 'chip hit', text: 'extracted value' }) : null,
    present.alt ? h('span', { class: 'chip alt', text: 'competing value' }) : null,
    present.gold ? h('span', { class: 'chip gold', text: 'gold value' }) : null,
    cell.p ? h('span', { class: 'chip', text: 'PDF page ' + cell.p }) : null,
    cell.v && !cell.s ? h('span', { class: 'muted', text: 'the extracted value does not occur verbatim in the view' }) : null));
  if (SERVED && cell.p) box.append(pdfPage(row.d, cell.p, cell.b));
  var pre = h('pre', { class: 'view', id: 'view', tabindex: '0' });
  var previousEnd = 0;
  view.p.forEach(function (part) {
    var start = part[0], partText = part[1], end = start + partText.length;
    if (start > previousEnd) pre.append(h('span', { class: 'gap', text: '... ' + fmtInt(start - previousEnd) + ' characters not embedded ...' }));
    var at = start;
    kept.forEach(function (range) {
      var from = Math.max(range[0], start), to = Math.min(range[1], end);
      if (from >= to || from < at) return;
      if (from > at) pre.append(document.createTextNode(partText.slice(at - start, from - start)));
      pre.append(h('mark', { class: range[2], text: partText.slice(from - start, to - start) }));
      at = to;
    });
    if (at < end) pre.append(document.createTextNode(partText.slice(at - start)));
    previousEnd = end;
  });
  if (previousEnd < view.n) pre.append(h('span', { class: 'gap', text: '... ' + fmtInt(view.n - previousEnd) + ' characters not embedded ...' }));
  box.append(pre);
  if (!view.full && !SERVED) box.append(h('p', { class: 'small muted', text: DATA.views.note }));
  requestAnimationFrame(function () {
    var mark = pre.querySelector('mark.hit') || pre.querySelector('mark');
    if (mark) pre.scrollTop = Math.max(0, mark.offsetTop - pre.clientHeight / 3);
  });
  return box;
}
function loadFullView(doc) {
  if (fullViews.has(doc)) return;
  fullViews.set(doc, null);
  var shown = function () { if (state.selected && ROWS[state.selected.row].d === doc) renderDetail(); };
  fetch('api/view?doc=' + encodeURIComponent(doc)).then(function (response) {
    return response.json().then(function (body) {
      if (!response.ok) throw new Error(body && body.error ? String(body.error) : 'HTTP ' + response.status);
      return body;
    });
  }).then(function (body) {
    fullViews.set(doc, { view: String(body.view), format: body.format === 'html' ? 'html' : 'text' });
    shown();
  }).catch(function (error) {
    // Said on the page (the server says why: no corpus folder recorded, a file gone), not left at "Loading".
    fullViews.set(doc, { error: error && error.message ? error.message : String(error) });
    shown();
  });
}

// ---------- attributes and functions tab ----------
function fnRow(f, reason) {
  var fn = FNS[f];
  var tr = h('tr', null,
    h('td', { class: 'mono', text: fn.id }),
    h('td', { text: fn.origin || '-' }),
    h('td', { text: fn.strategy || '-' }),
    h('td', { class: 'num', text: num(fn.sampleF1) }),
    h('td', { class: 'num', text: pct(fn.sampleCoverage) }));
  if (reason !== undefined) {
    tr.append(h('td', { text: reason }));
    return [tr];
  }
  // The source opens in a full-width row under the function's own.
  var sourceRow = h('tr', { class: 'source-row', hidden: true }, h('td', { colspan: '8' }, h('pre', { class: 'source', text: fn.source || '(not recorded)' })));
  var toggle = h('button', { class: 'linkish', 'aria-expanded': 'false', onclick: function () {
    sourceRow.hidden = !sourceRow.hidden;
    toggle.setAttribute('aria-expanded', String(!sourceRow.hidden));
    toggle.textContent = sourceRow.hidden ? 'source' : 'hide source';
  } }, 'source');
  tr.append(h('td', { class: 'num', text: num(fn.accuracy) }), h('td', { class: 'num', text: fmtInt(fnVotes[f]) + ' (' + fmtInt(fnWins[f]) + ')' }), h('td', null, toggle));
  return [tr, sourceRow];
}
ATTRS.forEach(function (attr, a) {
  var f1 = hasGold ? DATA.evaluation.attributes.find(function (x) { return x.column === attr.name; }) : null;
  var section = h('div', { class: 'attr-section', id: 'attr-' + a });
  section.append(h('h2', { text: attr.name }));
  if (attr.description) section.append(h('p', { class: 'muted', text: attr.description }));
  section.append(h('div', { class: 'cols' },
    h('dl', { class: 'kv' },
      h('dt', { text: 'coverage' }), h('dd', { text: pct(attr.coverage) }),
      h('dt', { text: 'mean confidence' }), h('dd', { text: num(attr.meanConfidence) }),
      f1 ? [h('dt', { text: 'F1 against gold' }), h('dd', { text: pct(f1.f1) })] : null,
      h('dt', { text: 'candidates written' }), h('dd', { text: fmtInt(attr.candidates) }),
      h('dt', { text: 'functions kept' }), h('dd', { text: fmtInt(attr.kept.length) }),
      h('dt', { text: 'pseudo-labels from' }), h('dd', { text: attr.pseudoLabelSource === 'agreement' ? 'agreement between functions (no model)' : attr.pseudoLabelSource || '-' }),
      h('dt', { text: 'empty output' }), h('dd', { text: attr.abstainOnEmpty === null ? '-' : attr.abstainOnEmpty ? 'abstains' : 'votes for no value' })),
    h('div', null, h('div', { class: 'small muted', text: 'confidence of the cells (first bar: empty)' }), histogram(a, 360, 90))));
  section.append(h('h3', { text: 'Kept functions' }));
  if (attr.kept.length) {
    section.append(h('table', { class: 'plain kept' },
      h('tr', null, ['id', 'origin', 'prompt or rule', 'sample F1', 'sample coverage', 'est. accuracy', 'votes (chosen)', ''].map(function (label, i) {
        return h('th', { class: i >= 3 && i <= 6 ? 'num' : null, text: label });
      })),
      attr.kept.map(function (f) { return fnRow(f); })));
  } else section.append(h('p', { class: 'muted', text: 'No function was kept: every cell of this attribute is empty.' }));
  if (attr.dropped.length) {
    section.append(h('h3', { text: 'Discarded candidates (' + attr.dropped.length + ')' }));
    section.append(h('table', { class: 'plain dropped' },
      h('tr', null, ['id', 'origin', 'prompt or rule', 'sample F1', 'sample coverage', 'why discarded'].map(function (label, i) {
        return h('th', { class: i === 3 || i === 4 ? 'num' : null, text: label });
      })),
      attr.dropped.map(function (entry) { return fnRow(entry.fn, entry.reason); })));
  }
  if (attr.failures.length) {
    section.append(h('h3', { text: 'Synthesis requests that gave no function (' + attr.failures.length + ')' }),
      h('ul', null, attr.failures.map(function (failure) { return h('li', { text: failure.reason + ': ' + failure.detail }); })));
  }
  sections.functions.append(section);
});
if (!ATTRS.length) sections.functions.append(h('p', { class: 'muted', text: 'The run has no attributes yet.' }));

// ---------- run tab ----------
(function () {
  var target = sections.run;
  var kv = h('dl', { class: 'kv' });
  var item = function (label, value) { if (value !== null && value !== undefined && value !== '') kv.append(h('dt', { text: label }), h('dd', { text: String(value) })); };
  item('run directory', run.runDir);
  item('corpus folder', run.corpus || 'unknown');
  item('method', run.method);
  item('functions written by', run.synthesizer);
  item('model', run.model ? run.model.model + (run.model.baseURL ? ' at ' + run.model.baseURL : '') : 'none');
  item('documents', fmtInt(run.documents) + ' found, ' + fmtInt(run.skippedTotal) + ' skipped, ' + fmtInt(run.rows) + ' rows');
  item('sample', run.sample.length ? run.sample.length + ' documents: ' + run.sample.join(', ') : null);
  item('apply speed', run.applyDocsPerSecond !== null ? fmtInt(run.applyDocsPerSecond) + ' documents/s' : null);
  if (run.sandbox) {
    var errors = Object.keys(run.sandbox.errors).map(function (k) { return k + ' ' + run.sandbox.errors[k]; }).join(', ');
    item('function calls', fmtInt(run.sandbox.calls) + ' (' + fmtInt(run.sandbox.values) + ' values, ' + fmtInt(run.sandbox.abstains) + ' empty' + (errors ? ', errors: ' + errors : '') + ')');
    if (run.sandbox.disabled.length) item('functions switched off', run.sandbox.disabled.join(', '));
  }
  item('document views', DATA.views.note);
  target.append(h('h2', { text: 'Run' }), kv);

  var stageNames = Object.keys(run.stageSeconds);
  var charts = h('div', { class: 'cols' });
  if (stageNames.length) {
    charts.append(h('div', null, barChart('Time per stage (total ' + secs(totalSeconds) + ')', stageNames.map(function (name) {
      return { label: name, parts: [{ value: run.stageSeconds[name], fill: '#6f8fd8', name: name }] };
    }), secs)));
  }
  if (usage) {
    var stages = Object.keys(usage.stages);
    charts.append(h('div', null, barChart('Tokens by stage', stages.map(function (name) {
      var u = usage.stages[name];
      return { label: name, parts: [
        { value: u.promptTokens, fill: '#2f5bd3', name: 'prompt tokens' },
        { value: u.completionTokens, fill: '#f29f3d', name: 'completion tokens' },
        { value: u.cachedPromptTokens + u.cachedCompletionTokens, fill: '#c5cbd6', name: 'cached tokens (not paid again)' }] };
    }), fmtInt), legend([['prompt', '#2f5bd3'], ['completion', '#f29f3d'], ['cached', '#c5cbd6']])));
  }
  target.append(charts);

  target.append(h('h2', { text: 'Model use' }));
  if (!usage) target.append(h('p', { class: 'muted', text: 'No model was used: the built-in synthesizer wrote the functions, so no tokens were spent.' }));
  else {
    var cols = ['stage', 'calls', 'live', 'cached', 'failed', 'pending', 'prompt tokens', 'completion tokens', 'cached tokens', 'cost'];
    var usageTable = h('table', { class: 'plain', id: 'usage' }, h('tr', null, cols.map(function (c, i) { return h('th', { class: i ? 'num' : null, text: c }); })));
    var line = function (name, u) {
      return h('tr', null, h('td', { text: name }), [u.calls, u.liveCalls, u.cachedCalls, u.failedCalls, u.pendingCalls, u.promptTokens, u.completionTokens, u.cachedPromptTokens + u.cachedCompletionTokens].map(function (v) {
        return h('td', { class: 'num', text: fmtInt(v) });
      }), h('td', { class: 'num', text: usd(u.costUsd) }));
    };
    Object.keys(usage.stages).forEach(function (name) { usageTable.append(line(name, usage.stages[name])); });
    var total = line('total', usage.total); total.className = 'chosen'; usageTable.append(total);
    target.append(h('p', { class: 'small muted', text: 'Model ' + usage.model + (usage.price ? ', $' + usage.price.inputPerMTok + ' / $' + usage.price.outputPerMTok + ' per million input / output tokens' : ', price unknown') +
      '. Cached calls were answered from the run\'s cache and cost nothing this time' + (usage.total.cachedCostUsd ? ' (they saved ' + usd(usage.total.cachedCostUsd) + ')' : '') + '.' }), usageTable);
  }

  if (hasGold) {
    var ev = DATA.evaluation;
    target.append(h('h2', { text: 'Against gold' }), h('p', { text: 'Average text F1 ' + pct(ev.averageF1) + ', pair F1 ' + pct(ev.pairs.f1) + ' (precision ' + pct(ev.pairs.precision) + ', recall ' + pct(ev.pairs.recall) + ').' }));
    target.append(barChart('Text F1 per attribute', ev.attributes.map(function (x) {
      return { label: x.name, parts: [{ value: x.f1, fill: '#3c9d5d', name: 'F1' }] };
    }), function (v) { return pct(v); }));
    target.append(h('h3', { text: 'Worst documents' }));
    var worst = h('table', { class: 'plain', id: 'worst' }, h('tr', null, h('th', { text: 'document' }), h('th', { class: 'num', text: 'mean F1' }), h('th', { text: 'attributes below F1 1 (F1)' })));
    ev.worst.forEach(function (w) {
      var r = w.row ? ROWS.findIndex(function (row) { return row.d === w.doc; }) : -1;
      var misses = r < 0 ? 'no result row' : ROWS[r].c.map(function (cell, a) { return isWrong(cell) ? ATTRS[a].name + ' ' + num(cell.e) : null; }).filter(Boolean).join(', ');
      worst.append(h('tr', { class: r >= 0 ? 'clickable' : null, title: r >= 0 ? 'show in the table' : null, onclick: r >= 0 ? function () { openRow(r); } : null },
        h('td', { class: 'mono', text: w.doc }), h('td', { class: 'num', text: pct(w.meanF1) }), h('td', { text: misses })));
    });
    target.append(worst);
    if (ev.missingDocuments.length) target.append(h('p', { class: 'small muted', text: ev.missingDocuments.length + ' gold document(s) have no result row: ' + ev.missingDocuments.slice(0, 20).join(', ') }));
  }

  target.append(h('h2', { text: 'Skipped files (' + fmtInt(run.skippedTotal) + ')' }));
  if (!run.skipped.length) target.append(h('p', { class: 'muted', text: 'Every file found was read.' }));
  else {
    target.append(h('table', { class: 'plain', id: 'skipped' }, h('tr', null, h('th', { text: 'file' }), h('th', { text: 'reason' }), h('th', { text: 'detail' })),
      run.skipped.map(function (skip) { return h('tr', null, h('td', { class: 'mono', text: skip.id }), h('td', { text: skip.reason }), h('td', { text: skip.detail })); })));
    if (run.skippedTotal > run.skipped.length) target.append(h('p', { class: 'small muted', text: 'and ' + fmtInt(run.skippedTotal - run.skipped.length) + ' more (see documents.json)' }));
  }
  if (DATA.views.missing.length) {
    target.append(h('h3', { text: 'Documents whose view could not be rebuilt (' + DATA.views.missing.length + ')' }),
      h('ul', null, DATA.views.missing.slice(0, 200).map(function (m) { return h('li', null, h('span', { class: 'mono', text: m.doc }), ': ' + m.reason); })));
  }
})();

function openRow(r) {
  state.query = ''; search.value = ''; state.show = 'all'; showSelect.value = 'all'; state.attr = -1; attrSelect.value = '-1';
  showTab('table');
  refresh();
  var worstAttr = 0;
  ROWS[r].c.forEach(function (cell, a) { if (cell.e !== undefined && cell.e < (ROWS[r].c[worstAttr].e === undefined ? 2 : ROWS[r].c[worstAttr].e)) worstAttr = a; });
  select(r, worstAttr);
  scrollToRow(r);
}

showTab('table');
refresh();
renderDetail();
document.documentElement.setAttribute('data-ready', 'true');
})();
`;
