// `--format html`: the page is inert (its JSON cannot end its script element, its one script is
// pinned by hash) and, opened from disk in headless Chromium, makes no request at all, explains the
// seed case (openat2_e on CentOS 8 el8_1: struct open_how, libbpf's line, the source line) from a
// click on its cell, and filters by verdict. Screenshots go to .cache/screenshots/ to be looked at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Script } from 'node:vm';
import { chromium, type Page } from 'playwright-core';
import { base64, sha256, utf8Bytes } from '../src/common/sha256.js';
import { CLIENT_SCRIPT } from '../src/report/html-client.js';
import { STYLE } from '../src/report/html-style.js';
import { contentSecurityPolicy, embedJson, renderHtml, scriptHash } from '../src/report/html.js';
import { renderText } from '../src/report/text.js';
import { syntheticReport } from './helpers/report.js';
import { CORPUS_KERNELS, REPO, cachePath } from './helpers/inputs.js';
import { scratchDir } from './helpers/scratch.js';

const CLI = join(REPO, 'dist/cli/main.js');
const EXAMPLE = join(REPO, 'examples/openat2/openat2.bpf.o');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const dir = scratchDir('html');

const jsonElement = (html: string): string => {
  const m = /<script type="application\/json" id="corecheck-report">([^]*?)<\/script>/.exec(html);
  assert.ok(m, 'the JSON element');
  return m[1];
};

test('embedded JSON cannot break out of its script element: a program named </script><script>alert(1)</script> stays data', () => {
  const hostile = '</script><script>alert(1)</script>';
  const report = syntheticReport({ programs: [hostile, 'ok'], kernels: 4, taint: '<!-- </SCRIPT\t> <script>alert(2)</script> \u2028' });
  const html = renderHtml(report);
  // Three script elements (the report, its notes, the inline script), and nothing from the report closes one or opens a comment.
  assert.equal(html.match(/<\/script/gi)?.length, 3);
  assert.equal(html.match(/<script/gi)?.length, 3);
  assert.ok(!html.includes('<!--'));
  assert.ok(!html.includes(hostile));
  // The element holds exactly the report.
  const json = jsonElement(html);
  assert.ok(!/[<>&\u2028\u2029]/.test(json));
  assert.deepEqual(JSON.parse(json), report);
  assert.equal(embedJson('</script>'), '"\\u003c/script\\u003e"');
  // The object name in <title> is escaped text.
  assert.match(html, /<title>corecheck: synthetic&lt;!-- &lt;\/SCRIPT\t&gt; &lt;script&gt;alert\(2\)&lt;\/script&gt; \u2028\.bpf\.o<\/title>/);
});

test('a report on minimized BTFs carries the note the text report prints; one on full BTFs none', () => {
  const notesOf = (html: string): string[] => JSON.parse(/<script type="application\/json" id="corecheck-notes">([^]*?)<\/script>/.exec(html)![1]) as string[];
  const full = syntheticReport({ programs: ['a'], kernels: 3 });
  assert.deepEqual(notesOf(renderHtml(full)), []);
  const minimized = { ...full, kernels: full.kernels.map((k, i) => (i === 0 ? { ...k, minimized: true as const } : k)) };
  const [note] = notesOf(renderHtml(minimized));
  assert.match(note, /^minimized BTF on 1 kernel: CO-RE is judged/);
  assert.ok(renderText(minimized, { color: false, verbose: false }).replace(/\s+/g, ' ').includes(note));
});

test('the inline script is plain text that parses, writes no markup, and is the one the CSP hash allows', () => {
  for (const bad of ['</', '<!--', '`', '${', 'innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(', 'Function(']) {
    assert.ok(!CLIENT_SCRIPT.includes(bad), `the client script holds ${bad}`);
  }
  assert.ok(!STYLE.includes('</') && !STYLE.includes('url('), 'the style loads nothing and cannot end its element');
  assert.doesNotThrow(() => new Script(CLIENT_SCRIPT));
  assert.equal(scriptHash(), createHash('sha256').update(CLIENT_SCRIPT, 'utf8').digest('base64'));
  const csp = contentSecurityPolicy();
  assert.match(csp, /default-src 'none'/);
  assert.ok(!/script-src[^;]*unsafe-inline/.test(csp), 'scripts are allowed by hash only');
  const html = renderHtml(syntheticReport({ programs: ['p'], kernels: 2 }));
  assert.ok(html.includes(`<script>${CLIENT_SCRIPT}</script>`));
  assert.ok(!/\b(src|href)\s*=/i.test(html.replace(jsonElement(html), '')), 'the page links to nothing');
});

test('sha256 (the CSP hash) equals node:crypto at every padding boundary and on non-ASCII text', () => {
  for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 65_537]) {
    const data = randomBytes(n);
    assert.equal(base64(sha256(new Uint8Array(data))), createHash('sha256').update(data).digest('base64'), `${n} bytes`);
  }
  const text = 'é ✕ 𝄞 \u2028';
  assert.deepEqual(Buffer.from(utf8Bytes(text)), Buffer.from(text, 'utf8'));
  for (const n of [0, 1, 2, 3, 4]) assert.equal(base64(new Uint8Array(n).fill(0xfb)), Buffer.alloc(n, 0xfb).toString('base64'));
});

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(cachePath('screenshots'), { recursive: true });
  await page.screenshot({ path: cachePath('screenshots', `html-report-${name}.png`) });
}

test('openat2 on the corpus (--arch all) in headless Chromium: no request at all, the el8_1 failure explained from its cell, the verdict filter', async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`no ${CHROMIUM}: apt-get install chromium (.ci/run installs it)`);
    return;
  }
  const out = join(dir, 'openat2.html');
  const r = cli(['check', EXAMPLE, '--kernel', CORPUS_KERNELS, '--arch', 'all', '--format', 'html', '--output', out]);
  assert.ok(existsSync(out), `no report written (exit ${r.status}): ${r.stderr}`);
  assert.ok(readFileSync(out, 'utf8').includes('centos/8/arm64/4.18.0-147.5.1.el8_1.aarch64'));

  const context = await chromium.launchPersistentContext(mkdtempSync(join(dir, 'profile-')), {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1366, height: 860 },
  });
  try {
    const page = await context.newPage();
    const url = pathToFileURL(out).href;
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (req) => requests.push(req.url()));
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(url);
    await page.waitForSelector('html[data-ready="true"]');
    await screenshot(page, 'overview');

    // (2) The failing cell of openat2_e on el8_1 opens the panel with the cause, libbpf's line and the source line.
    const el8 = page.locator('button.cell[data-program="openat2_e"][data-kernel="centos/8/arm64/4.18.0-147.5.1.el8_1.aarch64"]');
    assert.equal(await el8.getAttribute('data-verdict'), 'fails');
    assert.match((await el8.getAttribute('title')) ?? '', /openat2_e on centos\/8\/arm64\/4\.18\.0-147\.5\.1\.el8_1\.aarch64: fails — struct open_how/);
    await el8.click();
    const panel = page.locator('aside.panel');
    assert.ok(await panel.isVisible());
    const text = await panel.innerText();
    assert.match(text, /struct open_how/);
    assert.match(text, /failed to resolve CO-RE relocation/);
    assert.match(text, /ev\.flags = how\.flags/);
    assert.match(text, /openat2\.bpf\.c:\d+:\d+/);
    assert.match(text, /bpf_core_type_exists\(struct open_how\)/);
    await screenshot(page, 'detail');

    // Keyboard: Escape closes and gives focus back to the cell; arrows move between cells; Enter opens.
    await page.keyboard.press('Escape');
    assert.ok(!(await panel.isVisible()));
    assert.equal(await page.evaluate('document.activeElement.dataset.kernel'), 'centos/8/arm64/4.18.0-147.5.1.el8_1.aarch64');
    await page.keyboard.press('ArrowRight');
    const moved = await page.evaluate('document.activeElement.dataset.kernel');
    assert.ok(typeof moved === 'string' && moved !== 'centos/8/arm64/4.18.0-147.5.1.el8_1.aarch64', 'ArrowRight moves to the next kernel');
    await page.keyboard.press('Enter');
    assert.ok(await panel.isVisible());
    assert.equal(await page.locator('#panel-title').innerText(), 'openat2_e');
    await page.keyboard.press('Escape');

    // (3) The verdict filter: with every program shown, turning `loads` off hides every loads cell,
    // the rows that only load (openat2_guarded) and the kernels where everything loads.
    await page.getByRole('button', { name: /^Show all \d+ programs$/ }).click();
    const rowsBefore = await page.locator('table.heat tbody tr').count();
    assert.ok(await page.locator('button.cell.v-loads').count() > 0);
    assert.equal(await page.locator('th.ph', { hasText: 'openat2_guarded' }).count(), 1);
    const loadsChip = page.locator('[data-filter="verdict-loads"]');
    await loadsChip.click();
    assert.equal(await loadsChip.getAttribute('aria-pressed'), 'false');
    assert.equal(await page.locator('button.cell.v-loads').count(), 0);
    assert.equal(await page.locator('th.ph', { hasText: 'openat2_guarded' }).count(), 0);
    assert.ok(await page.locator('table.heat tbody tr').count() < rowsBefore);
    assert.ok(await page.locator('button.cell.v-fails').count() >= 1);
    assert.equal(await el8.count(), 1, 'the el8_1 failure is still shown');
    await screenshot(page, 'filtered');

    // The architecture filter hides kernels: arm64 off leaves no el8_1 column.
    await page.locator('[data-filter="arch-arm64"]').click();
    assert.equal(await el8.count(), 0);
    await page.getByRole('button', { name: 'Reset' }).click();
    assert.equal(await el8.count(), 1);

    // (1) Nothing but the file itself was requested, and nothing on the page points elsewhere.
    assert.deepEqual([...new Set(requests)], [url]);
    const links = page.locator('[src], [href]');
    for (let i = 0; i < (await links.count()); i++) {
      for (const attr of ['src', 'href']) {
        const v = await links.nth(i).getAttribute(attr);
        assert.ok(v === null || !/^\s*(https?:)?\/\//i.test(v), `${attr}=${v}`);
      }
    }
    assert.deepEqual(problems, [], 'no console errors (a CSP violation would be one)');
  } finally {
    await context.close();
  }
});
