/**
 * The HTML report's script, as the text that goes into its one inline `<script>`: vanilla JS that
 * reads the report from the JSON element and draws everything from it. Every string from the
 * report reaches the page through `textContent` or `setAttribute` (the `el` helper), never through
 * markup. Kept as plain text (no backquotes, no `${`, no `</`) so it can sit in a template literal
 * and in a script element as it is; `test/html.test.ts` checks that.
 */
export const CLIENT_SCRIPT = String.raw`(function () {
'use strict';

var VERDICTS = ['fails', 'warn', 'unknown', 'loads'];
var GLYPH = { fails: '\u00d7', warn: '!', unknown: '?', loads: '' };
var SAYS = {
  fails: 'does not load', warn: 'loads, with something to act on', unknown: 'the analysis cannot tell',
  loads: 'loads', info: 'info: CO-RE guards make it dead code, the program loads'
};
var OBJECT_SAYS = { fails: 'fails', warn: 'loads with warnings', unknown: 'is undecided', loads: 'loads' };
var RANK = { fails: 0, unknown: 1, warn: 2, info: 3, loads: 4 };
var HOW = {
  'field-renamed': 'field renamed to', 'field-moved': 'field moved to', 'type-renamed': 'type renamed to',
  'enumerator-renamed': 'enumerator renamed to', 'enumerator-renumbered': 'enumerator renumbered', 'function-renamed': 'function renamed to',
  gone: 'gone, no successor found'
};

var report = JSON.parse(document.getElementById('corecheck-report').textContent);
var notes = JSON.parse(document.getElementById('corecheck-notes').textContent);
var kernelMeta = new Map();
report.kernels.forEach(function (k) { kernelMeta.set(k.label, k); });

var state = { verdict: { fails: true, warn: true, unknown: true, loads: true }, arch: new Map(), distro: new Map() };
var views = [];
var panel = null;

// ---- DOM helpers: text only ----------------------------------------------------------------

function el(tag, attrs) {
  var e = document.createElement(tag);
  if (attrs) {
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === 'text') e.textContent = String(v);
      else if (k === 'class') e.className = v;
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : String(v));
    });
  }
  for (var i = 2; i < arguments.length; i++) add(e, arguments[i]);
  return e;
}
function add(parent, c) {
  if (c === null || c === undefined || c === false) return;
  if (Array.isArray(c)) c.forEach(function (x) { add(parent, x); });
  else if (typeof c === 'string' || typeof c === 'number') parent.appendChild(document.createTextNode(String(c)));
  else parent.appendChild(c);
}
function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }
function plural(n, one, many) { return n + ' ' + (n === 1 ? one : (many || one + 's')); }
function badge(v, text) { return el('span', { class: 'badge v-' + v, text: text || v }); }
function swatch(v) { return el('span', { class: 'swatch v-' + v, 'aria-hidden': 'true' }); }

// ---- Kernels and filters -------------------------------------------------------------------

function metaOf(label) { return kernelMeta.get(label) || { label: label, distro: null, release: null, arch: null, version: null, btf: true }; }
function archOf(label) { return metaOf(label).arch || 'unknown'; }
function distroOf(label) { return metaOf(label).distro || 'unknown'; }
/** A column's name: the kernel release (the label says the rest), or the file name of a kernel given by path. */
function kernelName(label) {
  var k = metaOf(label);
  return k.version || label.split('/').pop();
}
function kernelVisible(label) { return state.arch.get(archOf(label)) !== false && state.distro.get(distroOf(label)) !== false; }
function verdictVisible(v) { return v === 'info' || state.verdict[v] !== false; }

function counts(values) {
  var m = new Map();
  values.forEach(function (v) { m.set(v, (m.get(v) || 0) + 1); });
  return Array.from(m.entries()).sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : 1); });
}

function filterBar() {
  var pairs = [];
  report.objects.forEach(function (o) { o.details.forEach(function (d) { d.programs.forEach(function (p) { pairs.push(p.verdict); }); }); });
  var byVerdict = new Map(counts(pairs));
  var verdicts = el('fieldset', null, el('legend', { text: 'Verdict' }), VERDICTS.map(function (v) {
    return chip([swatch(v), v, el('span', { class: 'n', text: byVerdict.get(v) || 0 })],
      'Show (program, kernel) cells that ' + SAYS[v] + ' (' + (byVerdict.get(v) || 0) + ')', 'verdict-' + v,
      function () { return state.verdict[v]; }, function (on) { state.verdict[v] = on; });
  }));
  function dimension(name, map, valueOf) {
    var c = counts(report.kernels.map(function (k) { return valueOf(k.label); }));
    return el('fieldset', null, el('legend', { text: name }), c.map(function (e) {
      return chip([e[0], el('span', { class: 'n', text: e[1] })], 'Show the ' + plural(e[1], 'kernel') + ' of ' + (name === 'Arch' ? 'architecture' : 'distro') + ' ' + e[0],
        name.toLowerCase() + '-' + e[0], function () { return map.get(e[0]) !== false; }, function (on) { map.set(e[0], on); });
    }));
  }
  var reset = el('button', {
    type: 'button', class: 'link-button', text: 'Reset',  title: 'Show every verdict, architecture and distro',
    onclick: function () {
      VERDICTS.forEach(function (v) { state.verdict[v] = true; });
      state.arch.clear(); state.distro.clear();
      document.querySelectorAll('.filters .chip').forEach(function (b) { b.setAttribute('aria-pressed', 'true'); });
      refresh();
    }
  });
  return el('nav', { class: 'filters', 'aria-label': 'Filters' }, verdicts,
    dimension('Arch', state.arch, archOf), dimension('Distro', state.distro, distroOf), reset);
}

function chip(content, title, id, get, set) {
  var b = el('button', { type: 'button', class: 'chip', title: title, 'aria-pressed': String(get()), 'data-filter': id }, content);
  b.addEventListener('click', function () {
    set(!get());
    b.setAttribute('aria-pressed', String(get()));
    refresh();
  });
  return b;
}

function refresh() {
  views.forEach(function (v) { renderHeat(v); renderCauses(v); });
}

// ---- Page ----------------------------------------------------------------------------------

function header() {
  var g = report.gate;
  var bar = { fails: 'fail', unknown: 'fail or are undecided', warn: 'fail, are undecided or warn' }[g.failOn];
  var gateText = g.passed
    ? 'Gate passed: none of the ' + plural(g.requiredPairs, 'required (object, kernel) pair') + ' ' + bar
    : 'Gate failed: ' + g.failing.length + ' of ' + plural(g.requiredPairs, 'required (object, kernel) pair') + ' ' + bar;
  return el('header', { class: 'top' },
    el('h1', { text: 'corecheck report' }),
    el('span', { class: 'meta', text: report.tool.name + ' ' + report.tool.version + ' \u00b7 ' + plural(report.objects.length, 'object') + ' \u00b7 ' + plural(report.kernels.length, 'kernel') }),
    el('span', { class: 'gate ' + (g.passed ? 'pass' : 'fail'), role: 'status', text: gateText }));
}

function gateDetails() {
  var g = report.gate;
  if (g.passed && g.require.length === 0) return null;
  return el('details', { class: 'kernels small' },
    el('summary', { text: 'Gate: fail on ' + g.failOn + (g.require.length ? '; required kernels: ' + g.require.join(' or ') : '; every checked kernel is required') +
      (g.failing.length ? '; ' + plural(g.failing.length, 'failing pair') : '') }),
    g.failing.length ? el('ul', null, g.failing.map(function (f) { return el('li', { text: f.verdict + '  ' + f.object + '  on  ' + f.kernel }); })) : null);
}

/** Kernel counts per object verdict: fails on 4, loads on 31. */
function verdictSummary(obj) {
  var m = new Map();
  obj.groups.forEach(function (g) { m.set(g.verdict, (m.get(g.verdict) || 0) + g.kernels.length); });
  return Array.from(m.entries()).sort(function (a, b) { return RANK[a[0]] - RANK[b[0]]; }).map(function (e) {
    return badge(e[0], e[0] + ' on ' + plural(e[1], 'kernel'));
  });
}

function overview() {
  if (report.objects.length < 2) return null;
  return el('table', { class: 'overview' },
    el('caption', { class: 'sr-only', text: 'Objects' }),
    el('thead', null, el('tr', null, el('th', { text: 'Object' }), el('th', { text: 'Verdict' }), el('th', { text: 'Programs' }), el('th', { text: 'Main root cause' }))),
    el('tbody', null, report.objects.map(function (o, i) {
      var top = o.causes.filter(function (c) { return c.verdict !== 'info'; })[0];
      return el('tr', null,
        el('td', null, el('a', { href: '#obj-' + i, class: 'mono', text: o.name })),
        el('td', null, el('span', { class: 'names' }, verdictSummary(o))),
        el('td', { text: o.programs.length }),
        el('td', null, top ? [badge(top.verdict), ' ', el('code', { text: top.title })] : el('span', { class: 'muted', text: 'none' })));
    })));
}

// ---- One object ----------------------------------------------------------------------------

function makeView(obj, index) {
  var v = {
    obj: obj, index: index, showAll: false, highlight: null, focus: null,
    detail: new Map(), groupOf: new Map(), cause: new Map(), columns: [],
    rows: obj.programs.map(function (p, i) {
      return { program: p, index: i, everywhere: p.verdicts.every(function (x) { return x === 'loads'; }) };
    })
  };
  obj.details.forEach(function (d) { v.detail.set(d.kernel, d); });
  obj.groups.forEach(function (g) { g.kernels.forEach(function (k) { v.groupOf.set(k, g); v.columns.push(k); }); });
  obj.causes.forEach(function (c, i) { v.cause.set(c.key, { cause: c, id: 'obj-' + index + '-cause-' + i }); });
  return v;
}

/** The program of row i on a kernel (details keep the programs' order; the name is checked). */
function programOn(v, i, kernel) {
  var d = v.detail.get(kernel);
  if (!d) return null;
  var name = v.obj.programs[i].name;
  var p = d.programs[i];
  if (p && p.name === name) return p;
  return d.programs.filter(function (x) { return x.name === name; })[0] || null;
}

function objectSection(v) {
  var obj = v.obj;
  var arch = obj.arch;
  var headline = el('div', { class: 'headline' },
    el('span', { class: 'names' }, verdictSummary(obj)),
    el('span', null, 'Built for ', el('b', { text: arch.builtFor || 'any architecture' }),
      arch.evidence.length ? el('span', { text: ' (' + arch.evidence.join('; ') + ')' }) : arch.builtFor ? null : el('span', { text: ' (nothing in it names one)' })),
    el('span', null, el('b', { text: obj.kernels.length }), ' ' + (obj.kernels.length === 1 ? 'kernel' : 'kernels') + ' checked'),
    el('span', null, el('b', { text: arch.leftOut.length }), ' left out' + (arch.leftOut.length ? ' (other architectures; --arch all checks them)' : '')),
    el('span', null, el('b', { text: obj.programs.length }), ' ' + (obj.programs.length === 1 ? 'program' : 'programs')));
  v.heatNote = el('span', { class: 'small muted', 'aria-live': 'polite' });
  v.toggle = el('button', { type: 'button', class: 'toggle', 'aria-pressed': 'false', onclick: function () {
    v.showAll = !v.showAll; renderHeat(v);
  } });
  v.heat = el('div', { class: 'heat-wrap' });
  v.causeNote = el('p', { class: 'hidden-note', 'aria-live': 'polite' });
  v.causeList = el('div', { class: 'causes' });
  v.infoList = el('div', { class: 'causes' });
  v.infoBox = el('details', { class: 'info-causes' }, el('summary'), v.infoList);
  return el('section', { class: 'object', id: 'obj-' + v.index, 'aria-labelledby': 'obj-' + v.index + '-title' },
    el('h2', { id: 'obj-' + v.index + '-title', text: obj.name }),
    headline,
    arch.leftOut.length ? kernelDetails('Kernels left out', arch.leftOut) : null,
    groupsTable(v),
    el('h3', { text: 'Programs \u00d7 kernels' }),
    el('div', { class: 'heat-bar' }, v.toggle, v.heatNote, legend()),
    v.heat,
    el('h3', { text: 'Root causes' }),
    v.causeNote, v.causeList, v.infoBox);
}

function legend() {
  return el('span', { class: 'legend', 'aria-hidden': 'true' }, VERDICTS.map(function (x) {
    return el('span', null, el('span', { class: 'cell v-' + x, style: null, text: GLYPH[x] }), x);
  }));
}

function kernelDetails(title, labels) {
  return el('details', { class: 'kernels small' }, el('summary', { text: title + ' (' + labels.length + ')' }),
    el('ul', null, labels.map(function (l) { return el('li', { text: l }); })));
}

function groupsTable(v) {
  return el('table', { class: 'groups' },
    el('caption', { class: 'sr-only', text: 'Kernel groups: kernels on which every program has the same verdict' }),
    el('thead', null, el('tr', null, ['Group', 'Verdict', 'Kernels', 'What they share', 'Guarded CO-RE misses (info)'].map(function (h) { return el('th', { scope: 'col', text: h }); }))),
    el('tbody', null, v.obj.groups.map(function (g) {
      return el('tr', null,
        el('td', { class: 'gid', text: g.id }),
        el('td', null, badge(g.verdict)),
        el('td', null, el('details', { class: 'kernels' }, el('summary', { text: plural(g.kernels.length, 'kernel') }),
          el('ul', null, g.kernels.map(function (k) { return el('li', { text: k }); })))),
        el('td', { text: g.title }),
        el('td', { class: g.guarded.sites ? '' : 'muted', text: g.guarded.sites
          ? plural(g.guarded.sites, 'site') + ' in ' + plural(g.guarded.programs, 'program') : '\u2014' }));
    })));
}

// ---- Heat map ------------------------------------------------------------------------------

function renderHeat(v) {
  var kernelCols = v.columns.filter(kernelVisible);
  var candidates = v.rows.filter(function (r) { return v.showAll || !r.everywhere; });
  var verdictOf = function (r, k) { var p = programOn(v, r.index, k); return p ? p.verdict : 'unknown'; };
  // A row, or a column, whose every cell the verdict filter hides is left out.
  var shownRows = candidates.filter(function (r) { return kernelCols.some(function (k) { return state.verdict[verdictOf(r, k)]; }); });
  var cols = kernelCols.filter(function (k) { return shownRows.some(function (r) { return state.verdict[verdictOf(r, k)]; }); });
  var rows = shownRows.map(function (r) { return { row: r, cells: cols.map(function (k) { return verdictOf(r, k); }) }; });
  var notLoading = v.rows.filter(function (r) { return !r.everywhere; }).length;
  v.toggle.textContent = v.showAll ? 'Show only programs that do not load everywhere (' + notLoading + ')' : 'Show all ' + plural(v.rows.length, 'program');
  v.toggle.setAttribute('aria-pressed', String(v.showAll));
  v.toggle.hidden = notLoading === v.rows.length && !v.showAll;
  var note = v.showAll ? 'Showing all ' + plural(v.rows.length, 'program')
    : 'Showing ' + notLoading + ' of ' + plural(v.rows.length, 'program') + ': those that do not load on every kernel';
  if (kernelCols.length < v.columns.length) note += '; ' + kernelCols.length + ' of ' + plural(v.columns.length, 'kernel') + ' match the architecture and distro filters';
  var hidden = [];
  if (candidates.length > rows.length) hidden.push(plural(candidates.length - rows.length, 'program'));
  if (rows.length && cols.length < kernelCols.length) hidden.push(plural(kernelCols.length - cols.length, 'kernel'));
  if (hidden.length) note += '; the verdict filter hides ' + hidden.join(' and ');
  v.heatNote.textContent = note + '.';

  clear(v.heat);
  if (rows.length === 0 || cols.length === 0) {
    v.heat.appendChild(el('p', { class: 'empty-note', text:
      kernelCols.length === 0 ? 'No kernel matches the filters.'
        : candidates.length === 0 ? 'Every program loads on every kernel checked.' : 'No program matches the filters.' }));
    v.grid = [];
    return;
  }

  var table = el('table', { class: 'heat' + (v.highlight ? ' highlighting' : ''), role: 'grid', 'aria-label': 'Verdict of each program (rows) on each kernel (columns) for ' + v.obj.name });
  var groupRow = el('tr', { class: 'g' }, el('th', { class: 'corner', rowspan: '2', scope: 'col' }, 'program', el('br'), el('span', { class: 'muted', text: '\u2193 \u00b7 kernel \u2192' })));
  var kernelRow = el('tr', { class: 'k' });
  var first = new Set();
  var lastGroup = null;
  cols.forEach(function (k) {
    var g = v.groupOf.get(k);
    if (g !== lastGroup) {
      first.add(k);
      var span = cols.filter(function (c) { return v.groupOf.get(c) === g; }).length;
      groupRow.appendChild(el('th', { class: 'gh first v-' + g.verdict, colspan: String(span), scope: 'colgroup',
        title: 'Group ' + g.id + ': ' + g.title + ' \u2014 ' + g.verdict + ' (' + plural(g.kernels.length, 'kernel') + ')' },
        g.id, span >= 6 ? el('span', { class: 'gt', text: ' ' + g.title }) : null));
      lastGroup = g;
    }
    var m = metaOf(k);
    kernelRow.appendChild(el('th', { class: 'kh' + (first.has(k) ? ' first' : '') + (m.btf ? '' : ' nobtf'), scope: 'col', title: k + (m.btf ? '' : ' (no BTF)') },
      el('span', { text: kernelName(k) + (m.btf ? '' : ' (no BTF)') })));
  });
  table.appendChild(el('thead', null, groupRow, kernelRow));

  var hl = v.highlight;
  var tbody = el('tbody');
  v.grid = [];
  rows.forEach(function (entry, r) {
    var p = entry.row.program;
    var line = [];
    var tr = el('tr', null, el('th', { class: 'ph', scope: 'row', title: p.name + '  (SEC("' + p.section + '")' + (p.autoload ? '' : ', autoload off') + ')' },
      p.name, p.autoload ? null : el('span', { class: 'off', text: ' (autoload off)' })));
    cols.forEach(function (k, c) {
      var verdict = entry.cells[c];
      var td = el('td', { role: 'gridcell', class: first.has(k) ? 'first' : null });
      if (state.verdict[verdict]) {
        var pk = programOn(v, entry.row.index, k);
        var reasons = pk ? pk.reasons.filter(function (x) { return x.verdict !== 'info'; }) : [];
        var why = reasons.map(function (x) { var c0 = v.cause.get(x.cause); return c0 ? c0.cause.title : x.cause; });
        var label = p.name + ' on ' + k + ': ' + verdict + (why.length ? ' \u2014 ' + Array.from(new Set(why)).join(', ') : '');
        var cls = 'cell v-' + verdict;
        if (hl && pk && pk.reasons.some(function (x) { return x.cause === hl; })) cls += ' hl';
        var b = el('button', { type: 'button', class: cls, title: label, 'aria-label': label, tabindex: '-1',
          'data-program': p.name, 'data-kernel': k, 'data-verdict': verdict, text: GLYPH[verdict] });
        b.addEventListener('click', function () { v.focus = [r, c]; openDetail(v, entry.row.index, k, b); });
        td.appendChild(b);
        line.push(b);
      } else {
        line.push(null);
      }
      tr.appendChild(td);
    });
    v.grid.push(line);
    tbody.appendChild(tr);
  });
  table.appendChild(tbody);
  table.addEventListener('keydown', function (e) { gridKey(v, e); });
  v.heat.appendChild(table);
  // One cell in the tab order (the last one used, else the first); arrow keys move between cells.
  var start = v.focus && v.grid[v.focus[0]] && v.grid[v.focus[0]][v.focus[1]] ? v.focus : firstCell(v.grid);
  if (start) { v.focus = start; v.grid[start[0]][start[1]].tabIndex = 0; }
}

function firstCell(grid) {
  for (var r = 0; r < grid.length; r++) for (var c = 0; c < grid[r].length; c++) if (grid[r][c]) return [r, c];
  return null;
}

function gridKey(v, e) {
  if (!v.focus) return;
  var r = v.focus[0], c = v.focus[1], g = v.grid;
  var moves = { ArrowRight: [0, 1], ArrowLeft: [0, -1], ArrowDown: [1, 0], ArrowUp: [-1, 0] };
  var next = null;
  if (moves[e.key]) {
    var dr = moves[e.key][0], dc = moves[e.key][1];
    for (var rr = r + dr, cc = c + dc; rr >= 0 && rr < g.length && cc >= 0 && cc < g[rr].length; rr += dr, cc += dc) {
      if (g[rr][cc]) { next = [rr, cc]; break; }
    }
  } else if (e.key === 'Home' || e.key === 'End') {
    var row = g[r];
    for (var i = 0; i < row.length; i++) {
      var j = e.key === 'Home' ? i : row.length - 1 - i;
      if (row[j]) { next = [r, j]; break; }
    }
  } else {
    return;
  }
  e.preventDefault();
  if (!next) return;
  g[r][c].tabIndex = -1;
  v.focus = next;
  var b = g[next[0]][next[1]];
  b.tabIndex = 0;
  b.focus();
}

// ---- Root causes ---------------------------------------------------------------------------

function renderCauses(v) {
  clear(v.causeList); clear(v.infoList);
  var shown = 0, total = 0, info = 0;
  v.obj.causes.forEach(function (c) {
    if (c.verdict !== 'info') total++;
    if (!verdictVisible(c.verdict) || (c.kernels.length > 0 && !c.kernels.some(kernelVisible))) return;
    if (c.verdict === 'info') { info++; v.infoList.appendChild(causeCard(v, c)); } else { shown++; v.causeList.appendChild(causeCard(v, c)); }
  });
  v.causeNote.textContent = total === 0 ? 'Nothing stands in the way of any program on any kernel checked.'
    : shown < total ? shown + ' of ' + plural(total, 'root cause') + ' shown; ' + (total - shown) + ' hidden by the filters.'
      : plural(total, 'root cause') + ', the most failing (program, kernel) pairs first.';
  v.infoBox.hidden = info === 0;
  v.infoBox.firstChild.textContent = 'Guarded by CO-RE checks (info): ' + plural(info, 'relocation subject') + ' the kernels lack, on paths the guards make dead; the programs load';
}

function causeCard(v, c) {
  var entry = v.cause.get(c.key);
  var counts = [];
  if (c.failingPairs) counts.push(plural(c.failingPairs, 'failing pair'));
  if (c.warningPairs) counts.push(plural(c.warningPairs, 'warning pair'));
  counts.push(plural(c.programs.length, 'program'), plural(c.kernels.length, 'kernel'));
  var pressed = v.highlight === c.key;
  var facts = el('dl', { class: 'facts' },
    el('dt', { text: c.class.indexOf('CORE') === 0 ? 'libbpf says' : 'What happens' }), el('dd', null, el('pre', { class: 'libbpf', text: c.message })),
    el('dt', { text: 'Programs' }), el('dd', { class: 'names' }, c.programs.map(function (p) { return el('code', { text: p }); })),
    el('dt', { text: c.verdict === 'fails' ? 'Breaks on' : c.verdict === 'info' ? 'Guarded on' : 'Affects' }), el('dd', null, kernelSet(v, c.kernels)),
    c.verdict !== 'info' && c.guardedPrograms && c.guardedPrograms.length ? [el('dt', { text: 'Guarded in' }), el('dd', { class: 'names' },
      c.guardedPrograms.map(function (p) { return el('code', { text: p }); }), el('span', { class: 'muted small', text: 'a CO-RE check makes the access dead code there; these load' }))] : null,
    el('dt', { text: 'Present on' }), el('dd', null, c.presentOn.length ? kernelSet(v, c.presentOn) : el('span', { class: 'muted', text: 'none of the kernels checked' })),
    c.change ? [el('dt', { text: 'What changed' }), el('dd', null, changeText(c.change))] : null,
    c.sites.length ? [el('dt', { text: c.sites.length === 1 ? 'Source line' : 'Source lines' }), el('dd', null, c.sites.map(function (s) { return sourceBlock(s, null, null); }))] : null,
    c.fixes.length ? [el('dt', { text: c.fixes.length === 1 ? 'Fix' : 'Fixes' }), el('dd', null, el('ol', { class: 'fixes' }, c.fixes.map(function (f) { return el('li', { text: f }); })))] : null);
  var hl = el('button', { type: 'button', class: 'toggle', 'aria-pressed': String(pressed), text: pressed ? 'Highlighted in the heat map' : 'Highlight in the heat map',
    onclick: function () { v.highlight = v.highlight === c.key ? null : c.key; renderHeat(v); renderCauses(v); } });
  return el('article', { class: 'cause v-' + c.verdict, id: entry.id, tabindex: '-1', 'aria-labelledby': entry.id + '-t' },
    el('header', null, badge(c.verdict), el('h4', { id: entry.id + '-t', text: c.title }), el('span', { class: 'key mono', text: c.key }),
      el('span', { class: 'counts', text: counts.join(' \u00b7 ') })),
    facts, hl);
}

/** A list of kernels: spelled out when short, else a count (and the groups it is) that opens to the list. */
function kernelSet(v, labels) {
  if (labels.length <= 3) return el('span', { class: 'names' }, labels.map(function (l) { return el('code', { title: l, text: l }); }));
  var set = new Set(labels);
  var whole = v.obj.groups.filter(function (g) { return g.kernels.every(function (k) { return set.has(k); }); });
  var covered = whole.reduce(function (n, g) { return n + g.kernels.length; }, 0);
  var groups = covered === labels.length ? ' \u2014 ' + (whole.length === 1 ? 'group ' : 'groups ') + whole.map(function (g) { return g.id; }).join(', ') : '';
  return el('details', { class: 'kernels' }, el('summary', { text: plural(labels.length, 'kernel') + groups }),
    el('ul', null, labels.map(function (l) { return el('li', { text: l }); })));
}

function changeText(ch) {
  var out = [];
  if (ch.between) {
    var b = ch.between;
    out.push(el('div', null, b.change === 'added'
      ? ['Added: kernels up to ', el('code', { text: b.before }), ' lack it, kernels from ', el('code', { text: b.after }), ' have it.']
      : ['Removed: kernels up to ', el('code', { text: b.before }), ' have it, kernels from ', el('code', { text: b.after }), ' lack it.']));
  }
  if (ch.successor) {
    var s = ch.successor;
    out.push(el('div', null, 'Successor on ', el('code', { text: s.kernel }), ': ', HOW[s.how] || s.how,
      s.name ? [' ', el('code', { text: s.name })] : null, s.note ? ' \u2014 ' + s.note : null));
  }
  return out;
}

function sourceBlock(s, fn, insn) {
  var where = s.file + ':' + s.line + ':' + s.column;
  if (fn) where += '  in ' + fn + (insn !== null && insn !== undefined ? ', instruction ' + insn : '');
  return el('div', { class: 'src' }, el('span', { class: 'where mono', text: where }), s.text.trim() ? el('pre', { text: s.text }) : null);
}

// ---- Detail panel --------------------------------------------------------------------------

function makePanel() {
  var title = el('h2', { id: 'panel-title', tabindex: '-1' });
  var sub = el('div', { class: 'sub' });
  var body = el('div', { class: 'panel-body' });
  var close = el('button', { type: 'button', class: 'close', 'aria-label': 'Close details', title: 'Close (Esc)', text: '\u00d7' });
  var aside = el('aside', { class: 'panel', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': 'panel-title', hidden: true },
    el('div', { class: 'panel-head' }, title, close, sub), body);
  var p = { aside: aside, title: title, sub: sub, body: body, from: null };
  close.addEventListener('click', function () { closeDetail(); });
  aside.addEventListener('keydown', function (e) { if (e.key === 'Escape') { e.preventDefault(); closeDetail(); } });
  return p;
}

function closeDetail() {
  if (panel.aside.hidden) return;
  panel.aside.hidden = true;
  document.body.classList.remove('panel-open');
  document.querySelectorAll('.cell.selected').forEach(function (b) { b.classList.remove('selected'); });
  if (panel.from && document.body.contains(panel.from)) panel.from.focus();
}

function openDetail(v, i, kernel, from) {
  var prog = v.obj.programs[i];
  var pk = programOn(v, i, kernel);
  var d = v.detail.get(kernel);
  var g = v.groupOf.get(kernel);
  var m = metaOf(kernel);
  document.querySelectorAll('.cell.selected').forEach(function (b) { b.classList.remove('selected'); });
  from.classList.add('selected');
  panel.from = from;
  panel.title.textContent = prog.name;
  clear(panel.sub);
  add(panel.sub, [el('div', null, 'on ', el('b', { class: 'mono', text: kernel })),
    el('div', { text: [m.distro && m.distro + (m.release ? ' ' + m.release : ''), m.arch, m.version && 'kernel ' + m.version, g && 'group ' + g.id, m.btf ? null : 'no BTF']
      .filter(Boolean).join(' \u00b7 ') }),
    el('div', { text: 'SEC("' + prog.section + '")' + (prog.autoload ? '' : ' \u00b7 autoload off: does not decide the object') + ' \u00b7 object ' + v.obj.name })]);
  clear(panel.body);
  var verdict = pk ? pk.verdict : 'unknown';
  add(panel.body, el('div', { class: 'verdict-line' }, badge(verdict), el('span', { text: SAYS[verdict] + (d ? '; the object ' + OBJECT_SAYS[d.verdict] + ' on this kernel' : '') })));
  var reasons = pk ? pk.reasons.slice().sort(function (a, b) { return RANK[a.verdict] - RANK[b.verdict]; }) : [];
  if (reasons.length === 0) add(panel.body, el('p', { class: 'muted', text: pk ? 'Nothing on this kernel stands in its way.' : 'This program was not checked on this kernel.' }));
  var acting = reasons.filter(function (r) { return r.verdict !== 'info'; });
  var guarded = reasons.filter(function (r) { return r.verdict === 'info'; });
  add(panel.body, acting.map(function (r) { return reasonCard(v, r); }));
  if (guarded.length) {
    add(panel.body, el('details', { class: 'info-causes', open: acting.length === 0 },
      el('summary', { text: plural(guarded.length, 'guarded CO-RE miss', 'guarded CO-RE misses') + ' (info): dead code on this kernel, nothing to do' }),
      guarded.map(function (r) { return reasonCard(v, r); })));
  }
  panel.aside.hidden = false;
  document.body.classList.add('panel-open');
  panel.body.scrollTop = 0;
  panel.title.focus();
}

function reasonCard(v, r) {
  var entry = v.cause.get(r.cause);
  var c = entry ? entry.cause : null;
  return el('article', { class: 'reason v-' + r.verdict },
    el('header', null, badge(r.verdict), el('span', { class: 'cause-title', text: c ? c.title : r.cause }), el('span', { class: 'muted small', text: r.class }),
      entry ? el('button', { type: 'button', class: 'link-button', text: 'root cause', title: 'Show the root cause ' + (c ? c.title : r.cause), onclick: function () { showCause(entry.id); } }) : null),
    el('dl', { class: 'facts' },
      el('dt', { text: r.class.indexOf('CORE') === 0 ? 'libbpf says' : 'What happens' }), el('dd', null, el('pre', { class: 'libbpf', text: r.message })),
      r.source ? [el('dt', { text: 'Source line' }), el('dd', null, sourceBlock(r.source, r.function, r.insn))]
        : r.function ? [el('dt', { text: 'Where' }), el('dd', { class: 'mono', text: r.function + (r.insn !== null ? ', instruction ' + r.insn : '') })] : null,
      r.fixes.length ? [el('dt', { text: r.fixes.length === 1 ? 'Fix' : 'Fixes' }), el('dd', null, el('ol', { class: 'fixes' }, r.fixes.map(function (f) { return el('li', { text: f }); })))] : null));
}

function showCause(id) {
  var card = document.getElementById(id);
  if (!card) return;
  var info = card.closest('details');
  if (info) info.open = true;
  card.scrollIntoView({ block: 'start', behavior: 'smooth' });
  card.classList.remove('flash');
  void card.offsetWidth;
  card.classList.add('flash');
  card.focus({ preventScroll: true });
}

// ---- Start ---------------------------------------------------------------------------------

var app = document.getElementById('app');
clear(app);
views = report.objects.map(makeView);
panel = makePanel();
add(app, [header(), filterBar(), el('main', null, gateDetails(), notes.map(function (n) { return el('p', { class: 'note small', text: n }); }), overview(), views.map(objectSection)), panel.aside]);
document.addEventListener('keydown', function (e) { if (e.key === 'Escape') closeDetail(); });
refresh();
document.documentElement.setAttribute('data-ready', 'true');
})();
`;
