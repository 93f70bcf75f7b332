import { base64, sha256, utf8Bytes } from '../common/sha256.js';
import { CLIENT_SCRIPT } from './html-client.js';
import { STYLE } from './html-style.js';
import type { Report } from './model.js';
import { minimizedNote } from './phrases.js';

/**
 * `--format html`: one self-contained page. The report travels as JSON in a
 * `<script type="application/json">` element and the inline script draws the page from it: per
 * object the headline, the kernel groups, a programs × kernels heat map with filters and a detail
 * panel per cell, and the root causes. Nothing is fetched: the Content-Security-Policy allows no
 * source at all except the inline style and the one inline script, pinned by its hash, so text
 * from an object (program names, source lines) can never become script, even through a bug.
 */
export function renderHtml(report: Report): string {
  const title = report.objects.length === 1 ? `corecheck: ${report.objects[0].name}` : `corecheck: ${report.objects.length} objects`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy())}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(`${report.tool.name} ${report.tool.version}`)}">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<div id="app"><noscript><p style="padding:24px">This report is drawn by its inline script; with scripts off, the data is in the
<code>corecheck-report</code> element of the page source (the same JSON as <code>--format json</code>).</p></noscript></div>
<script type="application/json" id="corecheck-report">${embedJson(report)}</script>
<script type="application/json" id="corecheck-notes">${embedJson(reportNotes(report))}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

/** Sentences said once for the whole report (what a run against minimized BTFs leaves out), as the text report says them. */
function reportNotes(report: Report): string[] {
  const note = minimizedNote(report.kernels);
  return note ? [note] : [];
}

/**
 * Nothing from the network, no plugins, no forms, no base URL: the page's own style, and of
 * scripts only the one whose SHA-256 is listed (no other inline script runs, whatever the page holds).
 */
export function contentSecurityPolicy(): string {
  return [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    `script-src 'sha256-${scriptHash()}'`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

let hash: string | undefined;
/** base64 SHA-256 of the inline script, as CSP's `'sha256-…'` source wants it. */
export function scriptHash(): string {
  return (hash ??= base64(sha256(utf8Bytes(CLIENT_SCRIPT))));
}

/**
 * JSON that is inert inside a script element: `<`, `>` and `&` as `\u003c`-style escapes, so no
 * value can write `</script>` or `<!--` and end (or bend) the element; U+2028/2029 escaped too.
 * `JSON.parse` reads it back unchanged.
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an HTML text node or a quoted attribute. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}
