// Every route of the manager's OpenAPI document, called with what a hostile or careless
// caller sends: wrong JSON types, huge and non-finite numbers, oversized strings and bodies,
// malformed JSON. The caller holds every role, so only the input stands in the way. Nothing
// may answer 5xx, what is plainly wrong must be a 400 with CAP-E0001, and no table changes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { API_PREFIX } from '../../src/api/paths.js';
import { startTestManager, type TestManager } from '../helpers/manager.js';

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  anyOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
}
interface Operation {
  parameters?: { in: 'path' | 'query' | 'header' | 'cookie'; name: string; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
type Doc = { paths: Record<string, Record<string, Operation>> };

/** What a query field must refuse whatever its type: none of it is a plain decimal number or a short string. */
const NOT_NUMBERS = ['Infinity', '-Infinity', 'NaN', '1e400', '99999999999999999999', '-99999999999999999999', '0x10', '1e3', ' 1'];
/** Longer than any string a request may hold (paths are the longest, 4096). */
const HUGE_TEXT = 'x'.repeat(10_000);

/** Values of the wrong JSON type for a field of this schema (none for unions, whose types vary). */
function wrongTypes(s: Schema): unknown[] {
  if (s.anyOf || s.const !== undefined || s.enum) return [HUGE_TEXT, ['x'], { x: 1 }];
  const type = [s.type].flat()[0];
  switch (type) {
    case 'string': return [true, 1, ['x'], { x: 1 }, HUGE_TEXT];
    case 'integer': return ['1', true, 1.5, 1e308, -1e308, ['1'], HUGE_TEXT];
    case 'number': return ['1', true, 1e308, -1e308, ['1']];
    case 'boolean': return ['true', 1, 'yes', [true]];
    case 'array': return ['x', 1, true, { 0: 'x' }, Array.from({ length: 10_000 }, () => 'x')];
    case 'object': return ['x', 1, true, ['x']];
    default: return [];
  }
}

const isNumeric = (s: Schema) => [s.type].flat().some((t) => t === 'integer' || t === 'number');

/** The number of rows of every table: a refused request leaves them all as they were. */
async function rowCounts(m: TestManager): Promise<Record<string, number>> {
  const tables = (await m.services.db.introspection.getTables()).map((t) => t.name).filter((n) => !n.startsWith('kysely_'));
  const out: Record<string, number> = {};
  for (const t of tables.sort()) out[t] = Number((await sql<{ n: number | string }>`select count(*) as n from ${sql.table(t)}`.execute(m.services.db)).rows[0]?.n);
  return out;
}

describe('fuzzing every route of the OpenAPI document', () => {
  let m: TestManager;
  let headers: { authorization: string };
  let doc: Doc;
  before(async () => {
    m = await startTestManager();
    headers = (await m.userWithRoles(['administrator', 'WPARAdministrator'])).headers;
    const res = await m.app.inject({ method: 'GET', url: `${API_PREFIX}/openapi.json` });
    doc = res.json();
  });
  after(async () => { await m?.close(); });

  const operations = () => Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).filter(([method]) => method !== 'head').map(([method, op]) => ({ path, method: method.toUpperCase(), op })));
  const url = (path: string, params: Record<string, string> = {}) =>
    path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? 'no-such-thing'));

  function noServerError(res: LightMyRequestResponse, what: string): void {
    assert.ok(res.statusCode < 500, `${what}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  }
  function invalid(res: LightMyRequestResponse, what: string): void {
    noServerError(res, what);
    assert.equal(res.statusCode, 400, `${what}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    assert.equal(res.json().code, 'CAP-E0001', what);
  }

  it('refuses bad query fields, path parameters and bodies on every route with 4xx, changing no table', async () => {
    const ops = operations();
    assert.ok(ops.length > 80, `only ${ops.length} operations in the document`);
    const before = await rowCounts(m);
    let requests = 0;
    const send = async (method: string, target: string, extra: { payload?: string; contentType?: string } = {}) => {
      requests++;
      return m.app.inject({
        method: method as 'GET',
        url: target,
        headers: { ...headers, ...(extra.payload !== undefined ? { 'content-type': extra.contentType ?? 'application/json' } : {}) },
        ...(extra.payload !== undefined ? { payload: extra.payload } : {}),
      });
    };

    for (const { path, method, op } of ops) {
      const params = op.parameters ?? [];
      const base = url(path);
      const body = op.requestBody?.content['application/json']?.schema;

      // Query fields: non-finite, huge and malformed numbers; oversized and repeated text.
      for (const q of params.filter((p) => p.in === 'query')) {
        if (isNumeric(q.schema)) {
          for (const v of NOT_NUMBERS) invalid(await send(method, `${base}?${q.name}=${encodeURIComponent(v)}`), `${method} ${path} ?${q.name}=${v}`);
        }
        invalid(await send(method, `${base}?${q.name}=${HUGE_TEXT.slice(0, 5000)}`), `${method} ${path} ?${q.name}=<5000 x>`);
        if (![q.schema.type].flat().includes('array')) invalid(await send(method, `${base}?${q.name}=1&${q.name}=2`), `${method} ${path} ?${q.name} twice`);
      }
      // Path parameters: oversized, and characters no name or id has.
      for (const p of params.filter((x) => x.in === 'path')) {
        for (const v of ['x'.repeat(5000), '\u0000', '../..', '%', 'ü'.repeat(70)]) {
          noServerError(await send(method, url(path, { [p.name]: v })), `${method} ${path} :${p.name}=${v.slice(0, 20)}`);
        }
      }
      if (method === 'GET') continue;
      // Bodies: malformed JSON, the wrong JSON type as a whole, an oversized one.
      for (const raw of ['{', '{"a":', '[', 'nul', '"\\u00"', '{"a":1}x']) {
        noServerError(await send(method, base, { payload: raw }), `${method} ${path} body ${raw}`);
        if (body) invalid(await send(method, base, { payload: raw }), `${method} ${path} body ${raw}`);
      }
      noServerError(await send(method, base, { payload: JSON.stringify({ x: 'x'.repeat(1_100_000) }) }), `${method} ${path} body over 1 MiB`);
      noServerError(await send(method, base, { payload: 'a=1', contentType: 'application/x-www-form-urlencoded' }), `${method} ${path} form body`);
      if (!body) continue;
      for (const whole of ['true', '1', '"x"', 'null', '[]', '[{}]']) invalid(await send(method, base, { payload: whole }), `${method} ${path} body ${whole}`);
      // Each field of the wrong type (others left out: refused either way, never coerced).
      for (const [field, schema] of Object.entries(body.properties ?? {})) {
        for (const v of wrongTypes(schema)) {
          invalid(await send(method, base, { payload: JSON.stringify({ [field]: v }) }), `${method} ${path} ${field}=${JSON.stringify(v).slice(0, 40)}`);
        }
      }
    }
    assert.deepEqual(await rowCounts(m), before);
    assert.ok(requests > 1500, `${requests} requests`);
  });

  it('never coerces a JSON type: POST /users {"name":true} or ["x"] makes no user "true" or "x"', async () => {
    for (const name of [true, ['x'], 1, null]) {
      invalid(await m.app.inject({ method: 'POST', url: `${API_PREFIX}/users`, headers, payload: { name } }), `name ${JSON.stringify(name)}`);
    }
    const names = (await m.services.db.selectFrom('users').select('name').execute()).map((u) => u.name);
    assert.ok(!names.includes('true') && !names.includes('x') && !names.includes('1'), names.join(' '));
  });

  it('bounds every list page and the task wait, and still reads a plain number in a query', async () => {
    for (const q of ['limit=Infinity', 'limit=1e400', 'offset=99999999999999999999', 'offset=1.5', 'limit=0', 'limit=1001']) {
      invalid(await m.app.inject({ method: 'GET', url: `${API_PREFIX}/wpars?${q}`, headers }), q);
      invalid(await m.app.inject({ method: 'GET', url: `${API_PREFIX}/users?${q}`, headers }), q);
    }
    for (const t of ['Infinity', '1e400', '3601', '-1']) {
      invalid(await m.app.inject({ method: 'GET', url: `${API_PREFIX}/tasks/no-such-task/wait?timeout=${t}`, headers }), `timeout=${t}`);
    }
    const page = await m.app.inject({ method: 'GET', url: `${API_PREFIX}/users?limit=1&offset=0`, headers });
    assert.equal(page.statusCode, 200, page.body);
    assert.equal(page.json().items.length, 1);
    const states = await m.app.inject({ method: 'GET', url: `${API_PREFIX}/wpars?state=Defined&state=Active`, headers });
    assert.equal(states.statusCode, 200, states.body);
  });
});
