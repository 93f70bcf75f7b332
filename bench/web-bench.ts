// Benchmark (not a test): a large object against the built-in fleet in the web app (headless
// Chromium, `corecheck serve`'s server, the page's own workers: min(4, cores)) next to the CLI
// on the same machine (`check --fleet fleet/builtin.fleet`: the store alone, not the running
// kernel; its workers: one per core), each the median of BENCH_RUNS (3).
//   cli cold   a fresh kernel cache ($XDG_CACHE_HOME in a new directory): the store decoded, as in the page
//   cli warm   the cache filled by the cold runs
//   web first  a fresh page: from the drop to the report drawn, the store's fetch included
//   web again  the same object dropped again on that page (the store fetched already)
// and the longest task the page's own thread ran during a check (what would freeze it).
// Target: web ≤ 2 × cli cold. The object: BENCH_OBJECT, default selftests' profiler1.bpf.o (1.3 MB).
//
//   npm run build --silent && node dist/bench/web-bench.js
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { startServer } from '../src/cli/commands/serve.js';
import { timed } from './measure.js';
import { REPO } from '../test/helpers/inputs.js';

const CLI = join(REPO, 'dist/cli/main.js');
const STORE = join(REPO, 'fleet/builtin.fleet');
const OBJECT = process.env.BENCH_OBJECT ?? join(REPO, '.cache/objects/selftests-large/profiler1.bpf.o');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const CHROMIUM = '/usr/bin/chromium';
const longestTasks: number[] = [];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (!existsSync(OBJECT)) throw new Error(`no ${OBJECT} (set BENCH_OBJECT to a large BPF object)`);
if (!existsSync(CHROMIUM)) throw new Error(`no ${CHROMIUM}: apt-get install chromium`);
const work = mkdtempSync(join(tmpdir(), 'corecheck-web-bench-'));

function cliRun(cacheHome: string): number {
  const env = { ...process.env, XDG_CACHE_HOME: cacheHome };
  return timed(process.execPath, [CLI, 'check', OBJECT, '--fleet', STORE, '--format', 'json', '--output', join(work, 'report.json')], { env, ok: [0, 1] }).seconds;
}

/**
 * Drops the object on the page and waits for its report: the seconds from the drop to the report
 * drawn, and the longest task the page's own thread ran meanwhile (what a user would feel as a freeze).
 */
async function webRun(page: Page, bytes: string): Promise<number> {
  // the file is made first: decoding the test's base64 is itself a long task, not the page's
  await page.evaluate(`(() => {
    window.dropFile = new File([Uint8Array.from(atob(${JSON.stringify(bytes)}), (c) => c.charCodeAt(0))], 'profiler1.bpf.o');
    document.getElementById('report').removeAttribute('srcdoc');
  })()`);
  await page.evaluate(`(() => {
    window.longest = 0;
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.longest = Math.max(window.longest, e.duration); }).observe({ type: 'longtask' });
  })()`);
  const start = performance.now();
  await page.evaluate(`(() => {
    const dt = new DataTransfer();
    dt.items.add(window.dropFile);
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  })()`);
  await page.frameLocator('#report').locator('html[data-ready="true"]').waitFor({ timeout: 600_000 });
  const seconds = (performance.now() - start) / 1000;
  longestTasks.push(Number(await page.evaluate('window.longest')));
  return seconds;
}

try {
  const cold: number[] = [];
  for (let i = 0; i < RUNS; i++) cold.push(cliRun(mkdtempSync(join(work, 'cache-'))));
  const warmCache = mkdtempSync(join(work, 'cache-'));
  cliRun(warmCache);
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) warm.push(cliRun(warmCache));

  const server = await startServer(0);
  const bytes = readFileSync(OBJECT).toString('base64');
  const first: number[] = [];
  const again: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
      try {
        const page = await browser.newPage();
        await page.goto(server.url);
        await page.waitForSelector('html[data-ready="true"]');
        first.push(await webRun(page, bytes));
        again.push(await webRun(page, bytes));
      } finally {
        await browser.close();
      }
    }
  } finally {
    await server.close();
  }
  const row = (name: string, xs: number[]): string => `  ${name.padEnd(10)} ${median(xs).toFixed(2).padStart(7)} s   (${xs.map((x) => x.toFixed(2)).join(', ')})`;
  const ratio = median(first) / median(cold);
  process.stdout.write([
    `${OBJECT.slice(REPO.length + 1)} × the built-in fleet (35 kernels), ${availableParallelism()} cores, median of ${RUNS}`,
    row('cli cold', cold), row('cli warm', warm), row('web first', first), row('web again', again),
    `  web first / cli cold: ${ratio.toFixed(2)}× (target ≤ 2×) ${ratio <= 2 ? 'ok' : 'MISSED'}`,
    `  web again / cli cold: ${(median(again) / median(cold)).toFixed(2)}×`,
    `  longest task on the page's thread during a check: ${Math.max(...longestTasks).toFixed(0)} ms (0: none over 50 ms; the work is in workers)`,
  ].join('\n') + '\n');
} finally {
  rmSync(work, { recursive: true, force: true });
}
