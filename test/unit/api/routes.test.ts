// The API's route table: its invariants, and that it is the whole API (every route the
// manager registers is in it, with the same permission). The app is built in-process on
// services that are never called: registering routes reads them, handling requests would.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { API_PREFIX } from '../../../src/api/paths.js';
import { allRoutes } from '../../../src/api/routes/index.js';
import { buildApp } from '../../../src/manager/http/app.js';
import type { Services } from '../../../src/manager/services.js';

const table = allRoutes();
const key = (method: string, path: string) => `${method} ${path}`;

test('every method and path is defined once', () => {
  const seen = new Map<string, string>();
  for (const [name, r] of table) {
    const k = key(r.method, r.path);
    assert.equal(seen.get(k), undefined, `${name} and ${seen.get(k)} are both ${k}`);
    seen.set(k, name);
  }
});

test('every path parameter has a params schema that names it', () => {
  for (const [name, r] of table) {
    const names = [...r.path.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
    if (names.length === 0) {
      assert.equal(r.schema.params, undefined, `${name} has a params schema but no path parameter`);
      continue;
    }
    const properties = (r.schema.params as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
    assert.deepEqual(Object.keys(properties).sort(), names.sort(), `${name}: ${r.path}`);
  }
});

test('every route declares a permission, and a documented one its summary and response', () => {
  for (const [name, r] of table) {
    assert.ok(r.permission, name);
    if (r.schema.hide) continue;
    assert.ok(r.schema.summary, `${name} has no summary`);
    assert.ok(r.schema.response && Object.keys(r.schema.response).length > 0, `${name} has no response schema`);
  }
});

/** Registering reads services (and their members); nothing may call one. */
function unusedServices(): Services {
  const handler: ProxyHandler<object> = { get: (_t, p) => (p === 'then' ? undefined : new Proxy(() => undefined, handler)) };
  return new Proxy({}, handler) as Services;
}

test('the manager registers exactly the table, with its permissions', async () => {
  const app = await buildApp(unusedServices());
  try {
    await app.ready();
    const registered = new Map(app.routeTable.filter((e) => e.method !== 'HEAD').map((e) => [key(e.method, e.url), e.permission]));
    const expected = new Map(table.map(([, r]) => [key(r.method, (r.outsidePrefix ? '' : API_PREFIX) + r.path), r.permission]));
    assert.deepEqual([...registered.keys()].sort(), [...expected.keys()].sort());
    for (const [k, permission] of expected) assert.equal(registered.get(k), permission, k);
  } finally {
    await app.close();
  }
});

/**
 * What a request may carry is bounded everywhere: a string's length (unless it is one of a
 * fixed set), a number's range on both sides, a list's and a map's size. Without it a caller
 * could store a megabyte name, or hand the database a number it cannot hold.
 */
type Json = Record<string, unknown>;
function unbounded(s: Json, at: string): string[] {
  if (s.const !== undefined || s.enum !== undefined) return [];
  const union = (s.anyOf ?? s.oneOf ?? s.allOf) as Json[] | undefined;
  if (union) return union.flatMap((x) => unbounded(x, at));
  const out: string[] = [];
  const types = [s.type].flat();
  if (types[0] === undefined) out.push(`${at}: no type`);
  for (const type of types) {
    if (type === 'string' && s.maxLength === undefined) out.push(`${at}: a string without maxLength`);
    if ((type === 'number' || type === 'integer') &&
      ((s.maximum ?? s.exclusiveMaximum) === undefined || (s.minimum ?? s.exclusiveMinimum) === undefined)) out.push(`${at}: a number without both bounds`);
    if (type === 'array') {
      if (s.maxItems === undefined) out.push(`${at}: a list without maxItems`);
      if (s.items) out.push(...unbounded(s.items as Json, `${at}[]`));
    }
    if (type === 'object') {
      for (const [k, v] of Object.entries((s.properties ?? {}) as Record<string, Json>)) out.push(...unbounded(v, `${at}.${k}`));
      const open = [...Object.values((s.patternProperties ?? {}) as Record<string, Json>), ...(typeof s.additionalProperties === 'object' ? [s.additionalProperties as Json] : [])];
      if (open.length > 0 && s.maxProperties === undefined) out.push(`${at}: a map without maxProperties`);
      for (const v of open) out.push(...unbounded(v, `${at}{}`));
    }
  }
  return out;
}

test('every path parameter, query field and body field is bounded', () => {
  const found = table.flatMap(([name, r]) => (['params', 'querystring', 'body'] as const)
    .flatMap((part) => (r.schema[part] ? unbounded(r.schema[part] as Json, `${name}.${part}`) : [])));
  assert.deepEqual(found, []);
  // The check itself finds what it looks for.
  assert.equal(unbounded({ type: 'object', properties: { a: { type: 'string' }, n: { type: 'integer', minimum: 0 }, l: { type: 'array', items: { type: 'string', maxLength: 1 } } } }, 'x').length, 3);
});
