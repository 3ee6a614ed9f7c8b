// The console's first-load budget: the JavaScript a browser fetches to show the first page
// (the entry script and the chunks index.html preloads), gzip-compressed, must stay under
// 300 KB. Prints each file and the total; exits 1 over the budget. Run after build:web.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 300 * 1024;
const dist = join(import.meta.dirname, '../../web/dist');

const html = readFileSync(join(dist, 'index.html'), 'utf8');
const scripts = [...html.matchAll(/<script[^>]*\bsrc="([^"]+\.js)"/g), ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+\.js)"/g)].map((m) => m[1]!);
if (scripts.length === 0) throw new Error('web/dist/index.html names no script: build the console first (npm run build:web)');

let total = 0;
for (const src of [...new Set(scripts)]) {
  const size = gzipSync(readFileSync(join(dist, src))).length;
  total += size;
  console.log(`${(size / 1024).toFixed(1).padStart(8)} KB  ${src}`);
}
console.log(`${(total / 1024).toFixed(1).padStart(8)} KB  first load, gzip (budget ${BUDGET_BYTES / 1024} KB)`);
if (total > BUDGET_BYTES) {
  console.error('over budget');
  process.exit(1);
}
