/**
 * The HTML report's stylesheet: a light theme, system fonts, and one colour per verdict (fails
 * red, warn amber, unknown grey, loads green, info blue), each paired with a glyph so that colour
 * is never the only cue. Heat-map cells are 16 px with a 2 px gap: 36 kernel columns take ~650 px.
 */
export const STYLE = `
:root {
  --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa; --bg: #ffffff; --accent: #0969da;
  --fails: #c62828; --fails-bg: #fdecea; --fails-fg: #8a1414;
  --warn: #e8a200; --warn-bg: #fff5d6; --warn-fg: #6b4a00;
  --unknown: #6b7280; --unknown-bg: #eef0f3; --unknown-fg: #3d434c;
  --loads: #2f9d5a; --loads-bg: #e6f4ea; --loads-fg: #14532d;
  --info: #2563eb; --info-bg: #e8f0fe; --info-fg: #1e40af;
  --mono: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace;
  --cell: 16px; --gap: 2px;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; scroll-padding-top: 64px; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
code, pre, .mono { font-family: var(--mono); font-size: 12.5px; }
pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; tab-size: 4; }
h1, h2, h3, h4 { line-height: 1.25; margin: 0; }
h1 { font-size: 20px; }
h2 { font-size: 18px; overflow-wrap: anywhere; }
h3 { font-size: 15px; margin: 22px 0 8px; }
a { color: var(--accent); }
button { font: inherit; color: inherit; }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.muted { color: var(--muted); }
.small { font-size: 12.5px; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }

header.top { padding: 14px 24px 12px; border-bottom: 1px solid var(--line); display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: baseline; }
header.top .meta { color: var(--muted); }
.gate { margin-left: auto; padding: 4px 10px; border-radius: 6px; font-weight: 600; }
.gate.pass { background: var(--loads-bg); color: var(--loads-fg); }
.gate.fail { background: var(--fails-bg); color: var(--fails-fg); }

.filters { position: sticky; top: 0; z-index: 5; background: rgba(255,255,255,.97); border-bottom: 1px solid var(--line); padding: 8px 24px; display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center; }
.filters fieldset { border: 0; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px; align-items: center; }
.filters legend { float: left; margin-right: 6px; font-size: 12.5px; font-weight: 600; color: var(--muted); }
.chip { display: inline-flex; align-items: center; gap: 5px; border: 1px solid var(--line); background: var(--bg); border-radius: 999px; padding: 2px 9px; font-size: 12.5px; cursor: pointer; }
.chip[aria-pressed="false"] { background: var(--soft); color: var(--muted); text-decoration: line-through; }
.chip[aria-pressed="false"] .swatch { opacity: .35; }
.chip:hover { border-color: #8c959f; }
.chip .n { color: var(--muted); font-variant-numeric: tabular-nums; }
.link-button { border: 0; background: none; color: var(--accent); cursor: pointer; padding: 2px 4px; font-size: 12.5px; text-decoration: underline; }

main { padding: 8px 24px 48px; max-width: 1400px; }
.overview { margin: 12px 0 4px; border-collapse: collapse; }
.overview td, .overview th { padding: 4px 12px 4px 0; text-align: left; vertical-align: top; }
section.object { border-top: 1px solid var(--line); padding-top: 18px; margin-top: 18px; }
section.object:first-of-type { border-top: 0; }
.headline { margin: 8px 0 4px; display: flex; flex-wrap: wrap; gap: 4px 18px; color: var(--muted); }
.headline b { color: var(--fg); font-weight: 600; }

.badge { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 12px; font-weight: 600; line-height: 20px; white-space: nowrap; }
.badge.v-fails { background: var(--fails-bg); color: var(--fails-fg); }
.badge.v-warn { background: var(--warn-bg); color: var(--warn-fg); }
.badge.v-unknown { background: var(--unknown-bg); color: var(--unknown-fg); }
.badge.v-loads { background: var(--loads-bg); color: var(--loads-fg); }
.badge.v-info { background: var(--info-bg); color: var(--info-fg); }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; }
.swatch.v-fails { background: var(--fails); } .swatch.v-warn { background: var(--warn); }
.swatch.v-unknown { background: var(--unknown); } .swatch.v-loads { background: var(--loads); } .swatch.v-info { background: var(--info); }

table.groups { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
table.groups th, table.groups td { text-align: left; padding: 4px 14px 4px 0; border-bottom: 1px solid #eaeef2; vertical-align: top; }
table.groups th { font-size: 12px; color: var(--muted); font-weight: 600; }
table.groups .gid { font-weight: 700; }
table.groups tr.dim { opacity: .45; }
details > summary { cursor: pointer; }
details.kernels ul { margin: 4px 0; padding-left: 18px; columns: 2 360px; font-family: var(--mono); font-size: 12px; }

.heat-bar { display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center; margin: 6px 0; }
.legend { display: flex; gap: 12px; font-size: 12.5px; color: var(--muted); }
.legend > span { display: inline-flex; gap: 4px; align-items: center; }
.legend .cell, .legend .cell:hover { cursor: default; margin: 0; box-shadow: none; }
.toggle { border: 1px solid var(--line); background: var(--bg); border-radius: 6px; padding: 3px 10px; cursor: pointer; font-size: 12.5px; }
.toggle[aria-pressed="true"] { background: #ddf4ff; border-color: #54aeff; }
.toggle:hover { border-color: #8c959f; }
.heat-wrap { overflow: auto; max-height: 75vh; border: 1px solid var(--line); border-radius: 6px; width: fit-content; max-width: 100%; }
table.heat { border-collapse: separate; border-spacing: 0; }
table.heat th, table.heat td { padding: 0; }
table.heat thead th { position: sticky; background: var(--bg); z-index: 2; }
table.heat thead tr.g th { top: 0; height: 22px; }
table.heat thead tr.k th { top: 22px; }
table.heat th.corner { left: 0; z-index: 3; text-align: left; vertical-align: bottom; padding: 6px 10px; font-size: 12px; color: var(--muted); font-weight: 600; }
table.heat th.gh { font-size: 11.5px; font-weight: 700; text-align: left; padding: 2px 4px 0; border-bottom: 3px solid var(--unknown); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 0; }
table.heat th.gh.v-fails { border-bottom-color: var(--fails); } table.heat th.gh.v-warn { border-bottom-color: var(--warn); }
table.heat th.gh.v-loads { border-bottom-color: var(--loads); } table.heat th.gh.v-unknown { border-bottom-color: var(--unknown); }
table.heat th.gh .gt { font-weight: 400; color: var(--muted); }
table.heat th.kh { height: 170px; vertical-align: bottom; padding: 4px 0; font-weight: 400; }
table.heat th.kh span { display: block; writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-height: 162px; font-size: 11px; line-height: calc(var(--cell) + var(--gap)); margin: 0 auto; color: #424a53; }
table.heat th.kh.nobtf span { color: var(--fails-fg); }
table.heat .first { border-left: 6px solid var(--bg); }
table.heat th.first.kh, table.heat td.first { box-shadow: inset 1px 0 0 var(--line); border-left-width: 6px; }
table.heat th.ph { position: sticky; left: 0; z-index: 1; background: var(--bg); text-align: left; font-weight: 400; padding: 0 10px 0 8px; white-space: nowrap; max-width: 320px; overflow: hidden; text-overflow: ellipsis; font-family: var(--mono); font-size: 12px; height: calc(var(--cell) + var(--gap)); border-right: 1px solid var(--line); }
table.heat th.ph .off { color: var(--muted); font-family: system-ui, sans-serif; font-size: 11px; }
table.heat tbody tr:hover th.ph { background: var(--soft); }
table.heat td { width: calc(var(--cell) + var(--gap)); height: calc(var(--cell) + var(--gap)); text-align: center; vertical-align: middle; }
.cell { display: block; width: var(--cell); height: var(--cell); margin: 1px; padding: 0; border: 0; border-radius: 3px; cursor: pointer; font: 700 11px/16px system-ui, "DejaVu Sans", sans-serif; color: #fff; }
.cell.v-fails { background: var(--fails); }
.cell.v-warn { background: var(--warn); color: #3d2b00; }
.cell.v-unknown { background: var(--unknown); }
.cell.v-loads { background: var(--loads); }
.cell:hover { box-shadow: 0 0 0 2px var(--fg); }
.cell:focus-visible { outline: 2px solid var(--fg); outline-offset: 1px; }
.cell.selected { box-shadow: 0 0 0 2px var(--bg), 0 0 0 4px var(--accent); }
table.heat.highlighting .cell:not(.hl) { opacity: .18; }
.empty-note { padding: 10px 12px; color: var(--muted); }

.causes { display: grid; gap: 12px; }
.cause { border: 1px solid var(--line); border-left: 4px solid var(--unknown); border-radius: 6px; padding: 10px 14px; scroll-margin-top: 70px; }
.cause.v-fails { border-left-color: var(--fails); } .cause.v-warn { border-left-color: var(--warn); }
.cause.v-info { border-left-color: var(--info); } .cause.flash { animation: flash 1.2s ease-out; }
@keyframes flash { from { background: #ddf4ff; } to { background: var(--bg); } }
.cause header { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: center; }
.cause h4 { font-size: 15px; font-family: var(--mono); overflow-wrap: anywhere; }
.cause .key { color: var(--muted); font-size: 11.5px; }
.cause .counts { margin-left: auto; font-size: 12.5px; color: var(--muted); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 6px 14px; margin: 10px 0 2px; }
dl.facts dt { color: var(--muted); font-size: 12.5px; font-weight: 600; padding-top: 1px; }
dl.facts dd { margin: 0; min-width: 0; }
.libbpf { background: var(--soft); border: 1px solid #eaeef2; border-radius: 4px; padding: 4px 8px; }
.src { border: 1px solid #eaeef2; border-radius: 4px; overflow: hidden; }
.src + .src { margin-top: 4px; }
.src .where { display: block; background: var(--soft); color: var(--muted); padding: 2px 8px; font-size: 11.5px; overflow-wrap: anywhere; }
.src pre { padding: 4px 8px; border-top: 1px solid #eaeef2; }
ul.fixes, ol.fixes { margin: 0; padding-left: 18px; }
ul.fixes li + li, ol.fixes li + li { margin-top: 3px; }
.names { display: flex; flex-wrap: wrap; gap: 4px; }
.names code { background: var(--soft); border: 1px solid #eaeef2; border-radius: 4px; padding: 0 5px; }
.hidden-note { color: var(--muted); font-size: 12.5px; margin: 6px 0; }
details.info-causes { margin-top: 12px; }
details.info-causes > summary { color: var(--muted); }
details.info-causes .causes { margin-top: 8px; }

aside.panel { position: fixed; top: 0; right: 0; bottom: 0; width: min(480px, 100vw); background: var(--bg); border-left: 1px solid var(--line); box-shadow: -8px 0 24px rgba(31,35,40,.12); z-index: 10; display: flex; flex-direction: column; }
aside.panel[hidden] { display: none; }
aside.panel .panel-head { padding: 14px 16px 10px; border-bottom: 1px solid var(--line); display: grid; grid-template-columns: 1fr auto; gap: 4px 10px; }
aside.panel h2 { font-family: var(--mono); font-size: 15px; outline: none; }
aside.panel .close { border: 1px solid var(--line); background: var(--bg); border-radius: 6px; width: 30px; height: 30px; cursor: pointer; font-size: 18px; line-height: 1; }
aside.panel .close:hover { background: var(--soft); }
aside.panel .sub { grid-column: 1 / -1; font-size: 12.5px; color: var(--muted); overflow-wrap: anywhere; }
aside.panel .panel-body { overflow: auto; padding: 12px 16px 24px; }
.verdict-line { display: flex; gap: 8px; align-items: center; margin-bottom: 10px; }
.reason { border: 1px solid var(--line); border-left: 4px solid var(--unknown); border-radius: 6px; padding: 8px 12px; margin-top: 10px; }
.reason.v-fails { border-left-color: var(--fails); } .reason.v-warn { border-left-color: var(--warn); }
.reason.v-info { border-left-color: var(--info); }
.reason header { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.reason .cause-title { font-family: var(--mono); font-weight: 600; overflow-wrap: anywhere; }
.reason dl.facts { grid-template-columns: 1fr; gap: 2px; }
.reason dl.facts dt { margin-top: 6px; }
@media (min-width: 1100px) { body.panel-open main { margin-right: min(480px, 100vw); } }
aside.panel details.info-causes { margin-top: 14px; }
@media (max-width: 700px) { main, header.top, .filters { padding-left: 12px; padding-right: 12px; } dl.facts { grid-template-columns: 1fr; } }
@media print { .filters, aside.panel { display: none; } .heat-wrap { max-height: none; overflow: visible; } }
`;
