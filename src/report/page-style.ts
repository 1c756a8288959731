/** The report page's stylesheet (inlined: the page must open without network access). */
export const PAGE_STYLE = String.raw`
:root {
  --fg: #1d2330; --muted: #667085; --line: #e3e6ec; --bg: #ffffff; --soft: #f6f7f9; --accent: #2f5bd3;
  --hit: #ffd84d; --alt: #b9d5ff; --gold: #b7ebc6; --row: 30px;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--fg); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
button, input, select { font: inherit; color: inherit; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
h1 { font-size: 18px; margin: 0; font-weight: 650; }
h2 { font-size: 16px; margin: 24px 0 8px; font-weight: 650; }
h3 { font-size: 14px; margin: 16px 0 6px; font-weight: 650; }
.muted { color: var(--muted); }
.small { font-size: 12.5px; }
header.top { padding: 14px 24px 0; border-bottom: 1px solid var(--line); background: var(--soft); }
header.top .sub { color: var(--muted); font-size: 12.5px; margin-top: 2px; word-break: break-all; }
.facts { display: flex; flex-wrap: wrap; gap: 6px 22px; margin: 12px 0 10px; }
.fact { display: flex; flex-direction: column; min-width: 70px; }
.fact b { font-size: 17px; font-weight: 650; font-variant-numeric: tabular-nums; }
.fact span { color: var(--muted); font-size: 12px; }
.fact.warn b { color: #b42318; }
nav.tabs { display: flex; gap: 2px; }
nav.tabs button { border: 1px solid transparent; border-bottom: none; background: none; padding: 7px 14px; cursor: pointer; border-radius: 6px 6px 0 0; color: var(--muted); }
nav.tabs button[aria-selected="true"] { background: var(--bg); border-color: var(--line); color: var(--fg); font-weight: 600; margin-bottom: -1px; }
main { padding: 14px 24px 40px; }
section[hidden] { display: none; }
.notes { border: 1px solid #f3d98b; background: #fffaeb; border-radius: 6px; padding: 8px 12px; margin: 0 0 12px; font-size: 13px; }
.notes p { margin: 2px 0; }

/* attribute overview */
.overview { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 10px; margin-bottom: 14px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; background: var(--bg); }
.card h3 { margin: 0 0 4px; font-size: 13.5px; word-break: break-all; }
.card .stats { display: flex; gap: 12px; font-size: 12.5px; color: var(--muted); }
.card .stats b { color: var(--fg); font-weight: 600; }
.card .links { display: flex; gap: 10px; font-size: 12.5px; margin-top: 2px; }
.linkish { background: none; border: none; padding: 0; color: var(--accent); cursor: pointer; text-decoration: underline; text-underline-offset: 2px; }
.linkish:disabled { color: var(--muted); cursor: default; text-decoration: none; }

/* toolbar */
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 14px; margin-bottom: 8px; }
.toolbar input[type="search"] { width: 260px; padding: 5px 8px; border: 1px solid #cfd4dc; border-radius: 6px; }
.toolbar select { max-width: 220px; }
.toolbar select, .toolbar input[type="number"] { padding: 4px 6px; border: 1px solid #cfd4dc; border-radius: 6px; background: var(--bg); }
.toolbar input[type="number"] { width: 64px; }
.toolbar label { display: flex; align-items: center; gap: 6px; color: var(--muted); font-size: 13px; }
#row-count { color: var(--muted); font-size: 13px; font-variant-numeric: tabular-nums; }
.legend { display: flex; align-items: center; gap: 4px; font-size: 12px; color: var(--muted); margin-left: auto; }
.legend i { display: inline-block; width: 22px; height: 12px; border-radius: 2px; }

/* result grid (virtual: only visible rows exist) */
.table-wrap { display: flex; gap: 12px; height: 74vh; min-height: 420px; }
.grid { flex: 1 1 60%; overflow: auto; border: 1px solid var(--line); border-radius: 8px; position: relative; outline: none; }
.grid:focus-visible { box-shadow: 0 0 0 2px var(--accent); }
.grid-head, .grid-row { display: grid; min-width: 100%; }
.grid-head { position: sticky; top: 0; z-index: 2; background: var(--soft); border-bottom: 1px solid var(--line); }
.grid-head button { text-align: left; border: none; border-right: 1px solid var(--line); background: none; padding: 6px 8px; cursor: pointer; font-weight: 600; font-size: 13px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.grid-head button:hover { background: #eceef2; }
.grid-head .dir { color: var(--accent); font-weight: 500; margin-left: 4px; }
.grid-body { position: relative; }
.grid-row { position: absolute; left: 0; right: 0; height: var(--row); }
.grid-row > div { height: var(--row); line-height: var(--row); padding: 0 8px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; border-right: 1px solid #fff; border-bottom: 1px solid #fff; }
.grid-row .doc { background: var(--soft); border-bottom: 1px solid var(--line); font-size: 12.5px; position: sticky; left: 0; z-index: 1; border-right: 1px solid var(--line); }
.grid-head button:first-child { position: sticky; left: 0; z-index: 1; background: var(--soft); }
.cell { cursor: pointer; position: relative; }
.cell.empty { color: #aab0bb; background: #fafafa; }
.cell.sel { outline: 2px solid var(--accent); outline-offset: -2px; }
.cell .badge, .badge-sample { position: absolute; right: 3px; top: 7px; line-height: 14px; font-size: 10.5px; padding: 0 4px; border-radius: 7px; background: #fff; color: #6941c6; border: 1px solid #b692f6; }
.cell .badge.contested, .badge-sample.contested { background: #7a4cc2; color: #fff; border-color: #7a4cc2; }
.badge-sample { position: static; display: inline-block; margin-left: 10px; }
td .chips { display: inline-flex; margin: 0 6px 0 0; }
.cell.wrong::before { content: ""; position: absolute; left: 0; top: 0; bottom: 0; width: 3px; background: #d92d20; }
.empty-state { padding: 30px; color: var(--muted); text-align: center; }

/* detail panel */
.detail { flex: 1 1 40%; overflow: auto; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; background: var(--bg); min-width: 320px; }
.detail h2 { margin: 0; word-break: break-all; }
.detail .doc-id { color: var(--muted); word-break: break-all; margin-bottom: 8px; }
.chips { display: flex; flex-wrap: wrap; gap: 4px; margin: 4px 0; }
.chip { border-radius: 4px; padding: 1px 6px; background: var(--soft); border: 1px solid var(--line); word-break: break-word; }
.chip.hit { background: var(--hit); border-color: #e8b800; }
.chip.alt { background: var(--alt); border-color: #7aa7ef; }
.chip.gold { background: var(--gold); border-color: #63c084; }
.conf { display: inline-block; padding: 0 6px; border-radius: 4px; font-variant-numeric: tabular-nums; font-size: 12.5px; border: 1px solid rgba(0,0,0,.08); }
table.plain { border-collapse: collapse; width: 100%; font-size: 13px; }
table.plain th, table.plain td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.plain th { font-weight: 600; color: var(--muted); font-size: 12.5px; background: var(--soft); }
table.plain td.num, table.plain th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.plain tr.chosen td { font-weight: 600; }
table.plain tr.clickable { cursor: pointer; }
table.plain tr.clickable:hover td { background: #f0f4ff; }
.bar { display: inline-block; height: 8px; background: var(--accent); border-radius: 2px; vertical-align: middle; margin-right: 6px; }
.voters { display: flex; flex-wrap: wrap; gap: 3px; }
.voter { font-size: 11.5px; padding: 0 5px; border-radius: 3px; background: #eef1f6; white-space: nowrap; }
.voter.model { background: #e6efff; } .voter.builtin { background: #eef7ea; } .voter.user { background: #fdf0e6; }
pre.view { white-space: pre-wrap; word-break: break-word; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 10px; max-height: 52vh; overflow: auto; margin: 6px 0 0; position: relative; }
pre.view mark { border-radius: 2px; padding: 0 1px; color: inherit; }
.pdf-page { margin: 6px 0; }
.pdf-canvas { max-width: 100%; border: 1px solid var(--line); border-radius: 6px; }
pre.view mark.hit { background: var(--hit); box-shadow: 0 0 0 1px #e8b800; }
pre.view mark.alt { background: var(--alt); }
pre.view mark.gold { background: var(--gold); }
pre.view .gap { display: block; color: var(--muted); font-style: italic; margin: 6px 0; border-top: 1px dashed #c9ced8; padding-top: 4px; }
.mini { display: flex; flex-wrap: wrap; gap: 2px 10px; font-size: 12.5px; }
.mini button { max-width: 100%; text-align: left; }

/* functions and run tabs */
.attr-section { border-top: 1px solid var(--line); padding-top: 4px; margin-top: 14px; }
.attr-section:first-child { border-top: none; margin-top: 0; }
.kv { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; font-size: 13px; }
.kv dt { color: var(--muted); }
.kv dd { margin: 0; word-break: break-all; }
.cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 8px 28px; }
pre.source { max-height: 320px; overflow: auto; background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 8px; margin: 4px 0; white-space: pre; }
svg text { font: 11px system-ui, sans-serif; fill: #475467; }
svg .title { font-weight: 600; fill: #1d2330; }
`;
