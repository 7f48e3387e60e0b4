/**
 * The fixed CSS and script of the HTML report. Both are constants: no report data is ever concatenated
 * into them (data reaches the script only through the JSON block), so the script's CSP hash is stable.
 */

export const REPORT_CSS = `
:root{--ink:#1e293b;--muted:#64748b;--line:#e2e8f0;--bg:#f1f5f9;--card:#fff;--accent:#1d4ed8;--ok:#15803d;--bad:#b91c1c;
--mono:ui-monospace,"Cascadia Mono",Consolas,"DejaVu Sans Mono","Liberation Mono",monospace}
*{box-sizing:border-box}
[hidden]{display:none!important}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue","Liberation Sans",Arial,sans-serif}
a{color:var(--accent)}
code,.mono{font-family:var(--mono);font-size:12.5px}
.page{max-width:1440px;margin:0 auto;padding:0 24px 40px}
header.top{background:#0f172a;color:#e2e8f0;padding:22px 0 18px;margin-bottom:18px}
header.top .page{padding-bottom:0}
header.top h1{margin:0 0 4px;font-size:22px;font-weight:650;color:#fff;letter-spacing:.1px}
header.top .meta{color:#94a3b8;font-size:13px}
header.top .coverage{margin-top:10px;font-size:15px;color:#f8fafc}
header.top .coverage strong{font-weight:600}
nav.toc{display:flex;flex-wrap:wrap;gap:4px 16px;margin-top:12px;font-size:13px}
nav.toc a{color:#93c5fd;text-decoration:none}
nav.toc a:hover{text-decoration:underline}
section.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 20px;margin:0 0 18px;box-shadow:0 1px 2px rgba(15,23,42,.04)}
section.card>h2{margin:0 0 4px;font-size:17px;font-weight:650}
section.card>.lead{margin:0 0 14px;color:var(--muted);font-size:13px}
h3{font-size:14px;margin:16px 0 8px;font-weight:650}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:10px;margin-top:6px}
.tile{border:1px solid var(--line);border-radius:8px;padding:10px 12px;background:#fff;border-left:4px solid #cbd5e1}
.tile .n{font-size:22px;font-weight:650;font-variant-numeric:tabular-nums;line-height:1.2}
.tile .l{color:var(--muted);font-size:12.5px}
.tile.zero .n{color:#94a3b8}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:-1px;-webkit-print-color-adjust:exact;print-color-adjust:exact}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 7px;border-bottom:1px solid var(--line);vertical-align:top}
thead th{font-size:12px;font-weight:600;color:#475569;background:#f8fafc;border-bottom:1px solid #cbd5e1;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.zero{color:#cbd5e1}
.small{font-size:12.5px}
.muted{color:var(--muted)}
.err{color:var(--bad);font-weight:600}
.wrap{overflow-x:auto}
.break{word-break:break-all}
.nowrap{white-space:nowrap}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.when span{display:block;white-space:nowrap;font-size:12.5px}
.badge{display:inline-block;padding:1px 7px;border-radius:999px;font-size:11.5px;font-weight:600;background:#e2e8f0;color:#334155;white-space:nowrap}
.badge.receive{background:#dbeafe;color:#1e40af}.badge.send{background:#ede9fe;color:#5b21b6}.badge.queue{background:#fef3c7;color:#92400e}
.badge.ok{background:#dcfce7;color:#166534}
.badge.cat{color:#fff;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;margin:8px 0 0;font-size:12.5px;color:#334155}
svg.timeline{width:100%;height:auto;display:block}
svg.timeline .grid{stroke:#e2e8f0;stroke-width:1}
svg.timeline .axis{stroke:#94a3b8;stroke-width:1}
svg.timeline .tickmark{stroke:#94a3b8}
svg.timeline .tick{fill:#64748b;font-size:11px}
svg.timeline .tick.sub{fill:#334155;font-weight:600}
svg.timeline .axis-title{fill:#64748b;font-size:11px}
svg.timeline .bar:hover rect{opacity:.8}
svg.timeline .gap{fill:#f1f5f9}
svg.timeline .clean{fill:transparent}
.legend .sw.gap{background:#f1f5f9;border:1px solid #cbd5e1}
.note{background:#fffbeb;border:1px solid #fde68a;color:#78350f;border-radius:6px;padding:8px 10px;font-size:12.5px;margin:0 0 10px}
.empty{color:var(--muted);font-style:italic;padding:18px 0}
.controls{display:flex;flex-wrap:wrap;align-items:center;gap:8px 14px;margin:0 0 12px;padding:10px 12px;background:#f8fafc;border:1px solid var(--line);border-radius:8px}
.controls fieldset{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center}
.controls legend{float:left;font-weight:600;font-size:12.5px;margin-right:6px;padding:0}
.controls label{font-size:13px;white-space:nowrap;cursor:pointer}
.controls input[type=search]{font:inherit;padding:4px 8px;border:1px solid #cbd5e1;border-radius:6px;min-width:300px}
.controls .spacer{flex:1}
button{font:inherit;font-size:12.5px;cursor:pointer;border:1px solid #cbd5e1;background:#fff;border-radius:6px;padding:3px 9px;color:var(--ink)}
button:hover{background:#f1f5f9}
#groups thead th button{border:0;background:none;padding:0;font:inherit;color:inherit;font-weight:600;cursor:pointer;text-align:inherit}
#groups thead th[aria-sort] button::after{content:"\\2195";color:#cbd5e1;margin-left:4px}
#groups thead th[aria-sort=ascending] button::after{content:"\\25B2";color:var(--accent)}
#groups thead th[aria-sort=descending] button::after{content:"\\25BC";color:var(--accent)}
#groups thead th{vertical-align:bottom}
#groups thead th.catcol{white-space:normal;min-width:54px;max-width:78px}
#groups tbody tr.row:hover{background:#f8fafc}
#groups tbody tr.row td{border-bottom:0}
#groups tbody{border-bottom:1px solid var(--line)}
#groups td.host{min-width:160px;max-width:280px}
#groups td.host .h{font-weight:600;overflow-wrap:anywhere}
#groups td.host .names,#groups td.conn .srv{color:var(--muted);font-size:12px;overflow-wrap:anywhere}
#groups td.conn{min-width:120px;max-width:220px;overflow-wrap:anywhere}
.pill{display:inline-block;min-width:26px;padding:0 7px;border-radius:999px;color:#fff;font-weight:700;text-align:center;-webkit-print-color-adjust:exact;print-color-adjust:exact}
button.expander{width:22px;height:22px;padding:0;line-height:20px;text-align:center;font-weight:700;color:#475569}
button.expander[aria-expanded=true]{background:#e2e8f0}
tr.detail{display:none}
tr.detail.open{display:table-row}
tr.detail>td{background:#f8fafc;padding:10px 14px 14px 42px}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;font-size:12.5px;margin:0 0 8px}
.kv dt{color:var(--muted)}.kv dd{margin:0}
table.samples{background:#fff;border:1px solid var(--line);border-radius:6px;table-layout:fixed}
table.samples col.c-time{width:150px}table.samples col.c-file{width:230px}table.samples col.c-session{width:150px}table.samples col.c-cat{width:180px}
table.samples td{overflow-wrap:anywhere}
table.samples th{background:#f1f5f9}
table.samples td.text{font-family:var(--mono);font-size:12px;white-space:pre-wrap;word-break:break-all}
.mini{display:flex;width:90px;height:9px;border-radius:3px;overflow:hidden;background:#e2e8f0;margin-top:3px}
.mini span,.stack span{display:block;height:100%;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.tlsrow{display:grid;grid-template-columns:minmax(180px,300px) 1fr 130px;gap:10px;align-items:center;padding:5px 0;border-bottom:1px solid var(--line)}
.tlsrow .h{font-weight:600;word-break:break-all;font-size:13px}
.tlsrow .h .badge{margin-left:6px;font-weight:600}
.stack{display:flex;height:18px;border-radius:4px;overflow:hidden;background:#e2e8f0}
.tlsrow .n{font-size:12.5px;color:var(--muted);text-align:right;font-variant-numeric:tabular-nums}
.catcards{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:12px}
.catcard{border:1px solid var(--line);border-radius:8px;padding:12px 14px;border-top:4px solid #cbd5e1}
.catcard h3{margin:0 0 6px;display:flex;justify-content:space-between;gap:10px}
.catcard h3 .count{font-variant-numeric:tabular-nums;color:#334155}
.catcard p{margin:0 0 8px;font-size:13px}
.catcard .hint{background:#f0fdf4;border-left:3px solid #16a34a;padding:6px 9px;border-radius:0 4px 4px 0}
.catcard .id{color:var(--muted);font-family:var(--mono);font-size:11.5px}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:8px}
@media print{
  @page{size:A4 landscape;margin:12mm}
  body{background:#fff;font-size:11px}
  header.top{background:#fff;color:#000;border-bottom:2px solid #0f172a;padding:0 0 8px}
  header.top h1,header.top .coverage{color:#000}
  header.top .meta{color:#475569}
  .page{max-width:none;padding:0}
  nav.toc,.controls,button.expander,.no-print{display:none!important}
  section.card{box-shadow:none;border:0;border-top:1px solid #cbd5e1;border-radius:0;padding:10px 0;break-inside:auto}
  thead{display:table-header-group}
  tr,.tlsrow,.catcard{break-inside:avoid}
  a[href^="http"]::after{content:" (" attr(href) ")";font-size:90%;color:#475569;word-break:break-all}
  #groups thead th[aria-sort] button::after{content:none}
}
`;

/** The page script: sort, filter, expand. It reads data only from `#logscan-data` and never builds HTML. */
export const REPORT_SCRIPT = `
(function () {
  'use strict';
  var source = document.getElementById('logscan-data');
  var table = document.getElementById('groups');
  if (!source || !table) return;
  var data = JSON.parse(source.textContent || '{}');
  var rows = data.rows || [];
  var bodies = Array.prototype.slice.call(table.tBodies);
  var counter = document.getElementById('group-count');
  var search = document.getElementById('group-search');
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[data-cat]'));
  var sortCol = -1;
  var sortDir = 1;

  function rowOf(body) { return rows[Number(body.getAttribute('data-i'))] || { v: [], cats: [], text: '' }; }
  function blank(v) { return v === null || v === undefined || v === ''; }
  function compare(a, b, dir) {
    if (blank(a) && blank(b)) return 0;
    if (blank(a)) return 1;
    if (blank(b)) return -1;
    if (typeof a === 'number' && typeof b === 'number') return (a - b) * dir;
    return String(a).localeCompare(String(b), 'en', { numeric: true, sensitivity: 'base' }) * dir;
  }

  function sortBy(col) {
    var column = data.columns[col];
    if (!column) return;
    sortDir = sortCol === col ? -sortDir : (column.type === 'num' ? -1 : 1);
    sortCol = col;
    bodies.sort(function (x, y) {
      var c = compare(rowOf(x).v[col], rowOf(y).v[col], sortDir);
      return c !== 0 ? c : Number(x.getAttribute('data-i')) - Number(y.getAttribute('data-i'));
    });
    bodies.forEach(function (b) { table.appendChild(b); });
    Array.prototype.forEach.call(table.tHead.querySelectorAll('th[data-col]'), function (th) {
      var own = Number(th.getAttribute('data-col')) === col;
      th.setAttribute('aria-sort', own ? (sortDir > 0 ? 'ascending' : 'descending') : 'none');
    });
  }

  function applyFilter() {
    var on = {};
    boxes.forEach(function (b) { on[b.getAttribute('data-cat')] = b.checked; });
    var q = search ? search.value.trim().toLowerCase() : '';
    var shown = 0;
    bodies.forEach(function (body) {
      var r = rowOf(body);
      var visible = r.cats.length === 0 ? on.none !== false : r.cats.some(function (c) { return on[String(c)] !== false; });
      if (visible && q) visible = r.text.indexOf(q) !== -1;
      body.hidden = !visible;
      if (visible) shown += 1;
    });
    if (counter) counter.textContent = 'Showing ' + shown + ' of ' + bodies.length + ' groups';
  }

  function setOpen(body, open) {
    var button = body.querySelector('button.expander');
    var detail = body.querySelector('tr.detail');
    if (!button || !detail) return;
    button.setAttribute('aria-expanded', open ? 'true' : 'false');
    button.textContent = open ? '\\u2212' : '+';
    detail.classList.toggle('open', open);
  }

  table.addEventListener('click', function (ev) {
    var target = ev.target;
    if (!(target instanceof Element)) return;
    var sorter = target.closest('button[data-sort]');
    if (sorter) { sortBy(Number(sorter.getAttribute('data-sort'))); return; }
    var expander = target.closest('button.expander');
    if (expander) {
      var body = expander.closest('tbody');
      if (body) setOpen(body, expander.getAttribute('aria-expanded') !== 'true');
    }
  });
  boxes.forEach(function (b) { b.addEventListener('change', applyFilter); });
  if (search) search.addEventListener('input', applyFilter);
  function setAll(checked) { boxes.forEach(function (b) { b.checked = checked; }); applyFilter(); }
  function bind(id, fn) { var el = document.getElementById(id); if (el) el.addEventListener('click', fn); }
  bind('cats-all', function () { setAll(true); });
  bind('cats-none', function () { setAll(false); });
  bind('expand-all', function () { bodies.forEach(function (b) { if (!b.hidden) setOpen(b, true); }); });
  bind('collapse-all', function () { bodies.forEach(function (b) { setOpen(b, false); }); });
  applyFilter();
})();
`;
