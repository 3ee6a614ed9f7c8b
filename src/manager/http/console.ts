// Serves the web console (web/dist, built by `npm run build:web`) on the manager's port:
// its files at their paths, index.html for every other page path (the console routes in the
// browser), never for /api. Hashed assets are cached for good, index.html never; files are
// sent precompressed (.br, .gz) when the browser takes them.
//
// An onRequest hook, not routes: the console's files are public and no part of the API, so
// they stay out of the API's route table, whose every entry declares a role permission.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_PREFIX } from '../../api/paths.js';
import type { App } from './types.js';

/** web/dist beside src/ (run with tsx) and beside dist/ (built): both three levels up. */
const DEFAULT_ROOT = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite names every built asset by its content hash: it never changes under its name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  // uPlot and React set styles through the DOM; no inline or foreign scripts exist.
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
};

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Capstan</title></head>
<body><main><h1>The Capstan web console is not built</h1>
<p>Build it in the manager's source tree with <code>npm run build:web</code> (or run <code>npm run setup</code>), then reload this page.</p>
<p>The API is served at <a href="${API_PREFIX}/openapi.json">${API_PREFIX}</a>, and the <code>capstan</code> command works without the console.</p></main></body></html>`;

export function installConsole(app: App, root: string = DEFAULT_ROOT): void {
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return;
    const path = decodePath(req.url);
    if (path === null || path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) return;
    // Only what no route answers: the API's own paths keep their handlers and 404s.
    if (req.routeOptions.url !== undefined) return;

    if (!existsSync(join(root, 'index.html'))) {
      return reply.status(503).headers({ 'cache-control': 'no-store', ...SECURITY_HEADERS }).type('text/html; charset=utf-8').send(NOT_BUILT);
    }
    let file = resolveFile(root, path);
    // A path that names a file (it has an extension) and is missing is a 404, not a page.
    if (!file && extname(path) !== '') return reply.status(404).type('text/plain; charset=utf-8').send('not found');
    file ??= join(root, 'index.html');
    const out = representation(file, String(req.headers['accept-encoding'] ?? ''), path.startsWith('/assets/') ? IMMUTABLE : 'no-cache');
    return reply.status(200).headers(out.headers).send(req.method === 'HEAD' ? null : createReadStream(out.body));
  });
}

function decodePath(url: string): string | null {
  try {
    return decodeURIComponent(url.split('?')[0]!);
  } catch {
    return null;
  }
}

/** The file under root that the path names, or null; never a path outside root. */
function resolveFile(root: string, path: string): string | null {
  if (path.includes('\0')) return null;
  const file = normalize(join(root, path));
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  try {
    return statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

/** What to send for a file: the precompressed copy the browser takes, and the headers. */
function representation(file: string, acceptEncoding: string, cacheControl: string): { body: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': cacheControl,
    vary: 'accept-encoding',
    ...SECURITY_HEADERS,
  };
  let body = file;
  for (const [name, suffix] of [['br', '.br'], ['gzip', '.gz']] as const) {
    if (new RegExp(`\\b${name}\\b`).test(acceptEncoding) && existsSync(file + suffix)) {
      body = file + suffix;
      headers['content-encoding'] = name;
      break;
    }
  }
  headers['content-length'] = String(statSync(body).size);
  return { body, headers };
}
