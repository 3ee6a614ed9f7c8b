// The console's one way to call the manager: same-origin JSON over the session cookie, each
// call through the API's route table, so a wrong path, parameter, query or body fails the
// type check. Refusals become ApiError with the catalog's stable code, so views can say why.
import { API_PREFIX } from '../../../src/api/paths.js';
import type { ErrorBody } from '../../../src/api/errors.js';
import { routePath, type BodyOf, type CallArgs, type CallInput, type ResultOf, type RouteDefinition } from '../../../src/api/route-definition.js';
import { routes } from '../../../src/api/routes/index.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Listener = (e: ApiError) => void;
const authListeners = new Set<Listener>();
/** Told when the session is gone (expired, revoked, logged out elsewhere). */
export function onSessionLost(l: Listener): () => void {
  authListeners.add(l);
  return () => authListeners.delete(l);
}

/** The one route whose 401 is a refused login, not a lost session. */
const login: RouteDefinition = routes.auth.login;

type Query = Record<string, string | number | boolean | readonly string[] | undefined>;
/** The input as the request is built from it; its types were checked against the route. */
type RawInput = { params?: object; query?: Query; body?: unknown };

/** Where a route is served, with its parameters and query filled in. */
export function routeUrl<R extends RouteDefinition>(route: R, input: CallInput<R>): string {
  const { params, query } = input as RawInput;
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) search.append(k, String(one));
  }
  const qs = search.toString();
  return `${route.outsidePrefix ? '' : API_PREFIX}${routePath(route, params)}${qs ? `?${qs}` : ''}`;
}

/** Calls one route of the API's route table; its parameters, query, body and answer are typed by the table. */
export async function call<R extends RouteDefinition>(route: R, ...[input]: CallArgs<R>): Promise<ResultOf<R>> {
  const given = (input ?? {}) as CallInput<R>;
  // A POST without a body of its own still sends an empty JSON object, as the console always has.
  const body = (given as RawInput).body ?? (route.method === 'POST' ? {} : undefined);
  const res = await fetch(routeUrl(route, given), {
    method: route.method,
    credentials: 'same-origin',
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as ResultOf<R>;
  const text = await res.text();
  const data: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const e = data as Partial<ErrorBody> | undefined;
    const err = new ApiError(res.status, e?.code ?? `HTTP ${res.status}`, e?.message ?? res.statusText, e?.details);
    // A 401 on anything but the login itself means the session ended under us.
    if (res.status === 401 && route !== login) for (const l of authListeners) l(err);
    throw err;
  }
  return data as ResultOf<R>;
}

/**
 * A form's body as the route's request body. The console's one cast of a body: the form built
 * it from text fields and checked it against the same schema (schemaErrors) before sending,
 * a check made at run time, out of the type checker's sight.
 */
export const checkedBody = <R extends RouteDefinition>(_route: R, body: Record<string, unknown>): BodyOf<R> => body as BodyOf<R>;

/** A message for people: the stable code first, as the CLI prints it. */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) return `${e.code}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}
