// The web app (src/web/, `corecheck serve`) in headless Chromium: the seed example dropped on the
// page gives the struct open_how.flags failure with its source line on the built-in fleet's 4.18
// kernel and the guarded variant loading; a bad file gets the CLI's one-line message; the BTF
// browser shows struct open_how as C on a 6.12 kernel and compares it across the fleet; the
// relocation view and libbpf's CO-RE log; and no request leaves the page's origin or carries
// anything but a GET of the page's own files. Screenshots go to .cache/screenshots/web-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { chromium, type BrowserContext, type FrameLocator, type Page } from 'playwright-core';
import { startServer } from '../src/cli/commands/serve.js';
import { CORPUS_KERNELS, REPO, cachePath } from './helpers/inputs.js';
import { buildKernelCore, fetchedDebs } from './helpers/kernel-images.js';
import type { Report } from '../src/report/model.js';
import { scratchDir } from './helpers/scratch.js';

const CLI = join(REPO, 'dist/cli/main.js');
const EXAMPLE = join(REPO, 'examples/openat2/openat2.bpf.o');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const EL8 = 'centos/8/arm64/4.18.0-147.5.1.el8_1.aarch64';
const DEBIAN_612 = 'debian/13/x86_64/6.12.118+deb13-cloud-amd64';
/** What the page may fetch: its own files, nothing else. */
const ASSETS = new Set(['/', '/index.html', '/main.js', '/worker.js', '/style.css', '/builtin.fleet']);
const dir = scratchDir('web');

/** Chromium with a profile of its own (its own IndexedDB), as a user's browser is. */
function launch(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(dir, 'profile-')), {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1366, height: 900 },
  });
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(cachePath('screenshots'), { recursive: true });
  await page.screenshot({ path: cachePath('screenshots', `web-${name}.png`), fullPage: true });
}

/** The BTF browser's search on a kernel, until struct open_how is shown as C. */
async function showType(page: Page, kernel: string, query: string): Promise<void> {
  await page.getByRole('tab', { name: 'BTF browser' }).click();
  await page.locator('#btf-kernel').selectOption(kernel);
  await page.locator('#btf-query').fill(query);
  await page.locator('#btf-search button[type="submit"]').click();
  await page.locator('#btf-c', { hasText: 'struct open_how {' }).waitFor();
}

/**
 * The page as `corecheck serve` serves it, in a fresh Chromium profile, ready: `use` runs with it,
 * then browser and server close. An error the page throws fails the test.
 */
async function withPage(use: (page: Page) => Promise<void>): Promise<void> {
  const server = await startServer(0);
  const context = await launch();
  try {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(server.url);
    await page.waitForSelector('html[data-ready="true"]');
    await use(page);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    await server.close();
  }
}

/** Drops files on the page as a drag-and-drop does (a DataTransfer in a drop event). */
async function drop(page: Page, files: { name: string; bytes: Uint8Array }[]): Promise<void> {
  const list = JSON.stringify(files.map((f) => ({ name: f.name, base64: Buffer.from(f.bytes).toString('base64') })));
  // browser code, as text: the test is compiled without the DOM's types
  await page.evaluate(`(() => {
    const dt = new DataTransfer();
    for (const f of ${list}) dt.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name));
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  })()`);
}

test('the web app: the seed example on the built-in fleet, a bad file, the BTF browser, relocations, and no request leaves the origin', async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`no ${CHROMIUM}: apt-get install chromium (.ci/run installs it)`);
    return;
  }
  const server = await startServer(0);
  const origin = new URL(server.url).origin;
  const context = await launch();
  try {
    const page = await context.newPage();
    const requests: { url: string; method: string; body: string | null; range?: string }[] = [];
    const problems: string[] = [];
    context.on('request', (req) => requests.push({ url: req.url(), method: req.method(), body: req.postData(), range: req.headers().range }));
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(server.url);
    await page.waitForSelector('html[data-ready="true"]');
    assert.match(await page.locator('#privacy').innerText(), /Nothing you drop here is uploaded/);
    assert.match(await page.locator('#fleet-summary').innerText(), /^35 built-in kernels/);
    // listing the fleet fetched the store's header and index only, not its 12 MB of blocks
    const storeParts = (): string[] => requests.filter((r) => new URL(r.url).pathname === '/builtin.fleet').map((r) => r.range ?? 'whole');
    assert.ok(storeParts().length > 0 && storeParts().every((r) => /^bytes=0-\d+$/.test(r) && Number(r.split('-')[1]) < 100_000), storeParts().join(', '));

    // The seed example, dropped: the report drawn by the HTML report's own script, in its frame.
    await drop(page, [{ name: 'openat2.bpf.o', bytes: new Uint8Array(readFileSync(EXAMPLE)) }]);
    const report: FrameLocator = page.frameLocator('#report');
    await report.locator('html[data-ready="true"]').waitFor({ timeout: 120_000 });
    assert.match(await page.locator('#status').innerText(), /^checked 35 kernels in/);
    const headline = await report.locator('body').innerText();
    assert.match(headline, /struct open_how/);
    await screenshot(page, 'report');

    const el8 = report.locator(`button.cell[data-program="openat2_e"][data-kernel="${EL8}"]`);
    assert.equal(await el8.getAttribute('data-verdict'), 'fails');
    await el8.click();
    const panel = report.locator('aside.panel');
    const text = await panel.innerText();
    assert.match(text, /failed to resolve CO-RE relocation <byte_off> \[19\] struct open_how\.flags/);
    assert.match(text, /openat2\.bpf\.c:108:17/);
    assert.match(text, /ev\.flags = how\.flags/);
    await screenshot(page, 'report-detail');
    // the guarded variant loads on the same kernel
    const guarded = report.locator(`button.cell[data-program="openat2_guarded"][data-kernel="${EL8}"]`);
    await report.getByRole('button', { name: /^Show all \d+ programs$/ }).click();
    assert.equal(await guarded.getAttribute('data-verdict'), 'loads');

    // The click chose the program and kernel of the relocation view.
    await page.getByRole('tab', { name: 'Relocations' }).click();
    await page.locator('#relo-text', { hasText: EL8 }).waitFor();
    const relo = await page.locator('#relo-text').innerText();
    assert.match(relo, /^openat2\.bpf\.o on centos\/8\/arm64\/4\.18\.0-147\.5\.1\.el8_1\.aarch64: /);
    // libbpf poisons the instruction (no target field), and the verifier then rejects the program
    assert.match(relo, /relo #\d+ insn #17: <byte_off> \[19\] struct open_how\.flags \(0:0 @ offset 0\)\n\s+poisoned/);
    assert.ok(!/openat2_guarded/.test(relo), 'only the chosen program');
    assert.match(await page.locator('#relo-log').innerText(), /libbpf: prog 'openat2_e': relo #\d+: .*struct open_how/);
    await screenshot(page, 'relocations');

    // A bad file: the CLI's one-line message, word for word.
    const bad = join(dir, 'bad.o');
    writeFileSync(bad, 'this is not an ELF file at all, just text\n'.repeat(4));
    const cli = spawnSync(process.execPath, [CLI, 'check', 'bad.o'], { cwd: dir, encoding: 'utf8' });
    assert.equal(cli.status, 2);
    await page.setInputFiles('#files', bad);
    await page.locator('#error').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#error').innerText(), cli.stderr.trim());
    await screenshot(page, 'bad-file');

    // The BTF browser: struct open_how as C on a 6.12 kernel, then across the fleet.
    await showType(page, DEBIAN_612, 'struct open_how');
    const c = await page.locator('#btf-c').innerText();
    assert.match(c, /struct open_how \{\n\t__u64 flags;\n\t__u64 mode;\n\t__u64 resolve;\n\};/);
    assert.match(await page.locator('#btf-title').innerText(), new RegExp(`struct open_how on ${DEBIAN_612.replace(/[.+]/g, '\\$&')}`));
    await page.locator('#btf-compare-all').click();
    await page.locator('#btf-compare-status', { hasText: 'definition' }).waitFor({ timeout: 120_000 });
    assert.match(await page.locator('#btf-compare-status').innerText(), /one definition, missing on 4 kernels \(35 kernels\)/);
    assert.match(await page.locator('#btf-compare').innerText(), /missing on 4 kernels[\s\S]*defined on 31 kernels/);
    await screenshot(page, 'btf-browser');

    // Nothing but GETs of the page's own files, all from its origin.
    assert.ok(requests.length > 0);
    for (const r of requests) {
      const u = new URL(r.url);
      assert.equal(u.origin, origin, `request to another origin: ${r.url}`);
      assert.equal(r.method, 'GET', `${r.method} ${r.url}`);
      assert.equal(r.body, null);
      assert.ok(ASSETS.has(u.pathname) && u.search === '', `not one of the page's files: ${r.url}`);
    }
    // the fleet store was read in parts: its index, then the blocks the kernels checked and browsed are in
    assert.ok(storeParts().every((r) => r.startsWith('bytes=')), storeParts().join(', '));
    assert.deepEqual(problems, [], 'no console errors (a CSP violation would be one)');
  } finally {
    await context.close();
    await server.close();
  }
});

test('the web app: a kernel archive dropped joins the fleet, stays in IndexedDB across a reload, is checked, and can be removed', async (t) => {
  const archive = join(CORPUS_KERNELS, 'debian/11/x86_64/5.10.0-32-amd64.btf.tar.xz');
  if (!existsSync(CHROMIUM) || !existsSync(archive)) {
    t.skip(!existsSync(CHROMIUM) ? `no ${CHROMIUM}: apt-get install chromium (.ci/run installs it)` : `no corpus archive ${archive}`);
    return;
  }
  await withPage(async (page) => {
    // A damaged archive is refused with the CLI's message for it as a --kernel.
    const cut = join(dir, 'cut.btf.tar.xz');
    writeFileSync(cut, readFileSync(archive).subarray(0, 300_000));
    const cli = spawnSync(process.execPath, [CLI, 'check', EXAMPLE, '--kernel', 'cut.btf.tar.xz'], { cwd: dir, encoding: 'utf8' });
    assert.equal(cli.status, 2);
    await page.setInputFiles('#files', cut);
    await page.locator('#error').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#error').innerText(), cli.stderr.trim());
    assert.equal(await page.locator('#fleet-summary').innerText(), '35 built-in kernels');

    const mine = 'my-5.10.0-32-amd64.btf.tar.xz';
    await drop(page, [{ name: mine, bytes: new Uint8Array(readFileSync(archive)) }]);
    await page.locator('#fleet-summary', { hasText: '1 of yours' }).waitFor({ timeout: 60_000 });
    assert.match(await page.locator('#status').innerText(), /kernel added/);
    assert.match(await page.locator('#user-kernels').innerText(), new RegExp(mine.replace(/\./g, '\\.')));

    // kept in IndexedDB: there after a reload, and checked with the built-in fleet
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    assert.match(await page.locator('#fleet-summary').innerText(), /^35 built-in kernels and 1 of yours/);
    await page.setInputFiles('#files', EXAMPLE);
    const report = page.frameLocator('#report');
    await report.locator('html[data-ready="true"]').waitFor({ timeout: 120_000 });
    assert.match(await page.locator('#status').innerText(), /^checked 36 kernels in/);
    assert.equal(await report.locator(`button.cell[data-program="openat2_e"][data-kernel="${mine}"]`).getAttribute('data-verdict'), 'loads');
    await screenshot(page, 'user-kernel');

    // and in the BTF browser
    await showType(page, mine, 'open_how');

    await page.locator('#user-kernels button.remove').click();
    await page.locator('#fleet-summary', { hasText: /^35 built-in kernels$/ }).waitFor();
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    assert.equal(await page.locator('#fleet-summary').innerText(), '35 built-in kernels');
  });
});

// Kernel packages and images dropped as they come: a Debian linux-image .deb (lz4 bzImage), a bare
// vmlinuz (zstd bzImage), and an RPM kernel-core built by rpmbuild around a real Debian vmlinuz
// (xz payload). Each joins the fleet under the label its own metadata gives, as the CLI labels it.
const debs = fetchedDebs();
const deb = debs.find((d) => d.what === 'bzimage-lz4');
const vmlinuz = cachePath('kernel-images', 'vmlinuz-6.12.118+deb13-cloud-amd64');
const rpmImage = cachePath('kernel-images', 'vmlinuz-6.1.0-57-amd64');
const packagesMissing = !existsSync(CHROMIUM) ? `no ${CHROMIUM}: apt-get install chromium (.ci/run installs it)`
  : !deb || !existsSync(vmlinuz) || !existsSync(rpmImage) ? 'no fetched kernel packages: run tools/fetch-kernel-images.sh (needs apt and the network)'
    : spawnSync('rpmbuild', ['--version']).status !== 0 ? 'no rpmbuild (apt-get install rpm)' : false;
test('the web app: a .deb, a vmlinuz and an .rpm dropped join the fleet with their packages\' labels and are checked', { skip: packagesMissing }, async () => {
  const rpm = buildKernelCore(dir, rpmImage, '6.1.0', '57.el8', 'xz', 'x86_64');
  // what the CLI makes of the same three files: their labels and verdicts
  const cli = spawnSync(process.execPath, [CLI, 'check', EXAMPLE, '--kernel', deb!.deb, '--kernel', vmlinuz, '--kernel', rpm, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(cli.status, 0, cli.stderr);
  const object = (JSON.parse(cli.stdout) as Report).objects[0];
  const verdicts = object.programs.find((p) => p.name === 'openat2_e')!.verdicts;
  const expected = object.groups.flatMap((g, i) => g.kernels.map((k) => [k, verdicts[i]] as const));
  assert.equal(expected.length, 3);
  await withPage(async (page) => {
    await page.setInputFiles('#files', [deb!.deb, vmlinuz, rpm]);
    await page.locator('#fleet-summary', { hasText: '3 of yours' }).waitFor({ timeout: 180_000 });
    await page.setInputFiles('#files', EXAMPLE);
    const report = page.frameLocator('#report');
    await report.locator('html[data-ready="true"]').waitFor({ timeout: 180_000 });
    assert.match(await page.locator('#status').innerText(), /^checked 38 kernels in/);
    const shown = await report.locator('button.cell[data-program="openat2_e"]').evaluateAll((cells) =>
      cells.map((c) => [c.getAttribute('data-kernel'), c.getAttribute('data-verdict')]));
    const verdictOf = new Map(shown as [string, string][]);
    for (const [path, verdict] of expected) {
      // a file without package metadata is labelled by its path on the command line, by its name in the page
      const label = isAbsolute(path) ? basename(path) : path;
      assert.ok(verdictOf.has(label), `a column for ${label} among ${[...verdictOf.keys()].join(', ')}`);
      assert.equal(verdictOf.get(label), verdict, label);
      assert.equal(verdict, 'loads', `${label}: 6.1 and 6.12 have struct open_how`);
    }
    await screenshot(page, 'packages');
  });
});

// A binary that embeds its BPF object (a libbpf-tools skeleton): the page finds the object in it
// as the CLI does, and checks it on the kernels of its architecture.
const SKELETON = '/usr/sbin/opensnoop';
test('the web app: a binary embedding a BPF object is checked as the CLI checks it', { skip: !existsSync(CHROMIUM) ? `no ${CHROMIUM}` : !existsSync(SKELETON) && `no ${SKELETON} (apt-get install libbpf-tools)` }, async () => {
  const cli = spawnSync(process.execPath, [CLI, 'check', SKELETON, '--fleet', join(REPO, 'fleet/builtin.fleet'), '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.ok(cli.status === 0 || cli.status === 1, cli.stderr);
  const [object] = (JSON.parse(cli.stdout) as Report).objects;
  await withPage(async (page) => {
    await page.setInputFiles('#files', SKELETON);
    const report = page.frameLocator('#report');
    await report.locator('html[data-ready="true"]').waitFor({ timeout: 180_000 });
    const text = await report.locator('body').innerText();
    // the CLI names it by its path and offset (/usr/sbin/opensnoop@0x...), the page by the file's name
    assert.ok(text.includes(basename(object.name)), `the report names ${basename(object.name)}`);
    assert.match(text, new RegExp(`${object.kernels.length} kernels checked`));
    assert.match(text, new RegExp(`${object.programs.length} programs`));
  });
});

test('corecheck serve: a port in use is one clear line', async () => {
  const first = await startServer(0);
  try {
    const port = new URL(first.url).port;
    const r = spawnSync(process.execPath, [CLI, 'serve', '--port', port], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, `corecheck: option --port: port ${port} is in use (choose another with --port)\n`);
  } finally {
    await first.close();
  }
});
