import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { CorecheckError } from '../../common/errors.js';
import { builtinFleetPath } from '../../kernels/builtin-fleet.js';
import { packageFile } from '../../kernels/package-files.js';
import { writeOut } from '../io.js';

/** The web app as built (tools/build-web.mjs): `dist/web/`. */
export function webRoot(): string {
  return packageFile('dist/web/');
}

/** The built-in fleet store, as the page asks for it (src/web/kernel-loader.ts). */
const STORE = 'builtin.fleet';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8', '.fleet': 'application/octet-stream',
};

export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves the web app's files on localhost only (127.0.0.1): GET and HEAD of the built files,
 * nothing else. The page does all the work in the browser; this server never sees a user's file.
 * Port 0 takes a free port (tests).
 */
export async function startServer(port: number, root = webRoot()): Promise<RunningServer> {
  if (!existsSync(join(root, 'index.html'))) {
    throw new CorecheckError('NOT_FOUND', 'web app', -1, 'not built (npm run build builds it into dist/web)', root);
  }
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const asked = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    // the npm package ships the store once, in fleet/, not again in dist/web/ (package.json "files")
    const file = path === `/${STORE}` && !existsSync(asked) ? builtinFleetPath() : asked;
    const inside = file === builtinFleetPath() || file.startsWith(root.endsWith(sep) ? root : root + sep);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    } else if (!inside || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
    } else {
      const size = statSync(file).size;
      const range = byteRange(req.headers.range, size);
      const headers = {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Accept-Ranges': 'bytes',
        'Cache-Control': 'no-cache',
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
      };
      if (range === 'unsatisfiable') {
        res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` }).end();
        return;
      }
      // the web app fetches the fleet store's index, then each block as it needs it
      const [start, end] = range ?? [0, size];
      res.writeHead(range ? 206 : 200, { ...headers, 'Content-Length': end - start, ...(range ? { 'Content-Range': `bytes ${start}-${end - 1}/${size}` } : {}) });
      if (req.method === 'HEAD' || end === start) res.end();
      else createReadStream(file, { start, end: end - 1 }).pipe(res);
    }
  });
  await listen(server, port);
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A single `bytes=a-b`, `bytes=a-` or `bytes=-n` range as [start, end); undefined: the whole file (no range, or one not understood). */
function byteRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const [start, end] = m[1] === '' ? [Math.max(0, size - Number(m[2])), size] : [Number(m[1]), m[2] === '' ? size : Math.min(size, Number(m[2]) + 1)];
  return start < end && start < size ? [start, end] : 'unsatisfiable';
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? `port ${port} is in use (choose another with --port)`
        : e.code === 'EACCES' ? `port ${port} needs privileges (choose one above 1023 with --port)` : e.message;
      reject(new CorecheckError('USAGE', 'option --port', -1, why));
    });
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

/** `corecheck serve [--port N]`: the web app on localhost, until interrupted. */
export async function runServe(opts: { port: number }): Promise<void> {
  const server = await startServer(opts.port);
  writeOut(`corecheck web app at ${server.url} (localhost only; files you drop stay in the browser). Ctrl-C stops it.\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => { void server.close().then(resolve); };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
