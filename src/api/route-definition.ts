// What one route of the manager's API is (method, path, permission, schemas), and the types
// its callers derive from it: the manager registers its handler against the definition, the
// CLI and the console call it through the definition, so a wrong path, parameter, query or
// body fails the type check instead of the request.
import type { Static, TSchema } from 'typebox';
import type { Permission } from './roles.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The route's schemas, as Fastify and its OpenAPI document take them. */
export interface RouteSchema {
  summary?: string;
  tags?: readonly string[];
  /** Kept out of the OpenAPI document. */
  hide?: boolean;
  params?: TSchema;
  querystring?: TSchema;
  body?: TSchema;
  produces?: readonly string[];
  /** By status; a non-JSON answer (a stream) is described by an OpenAPI response object. */
  response?: Readonly<Record<number, TSchema | { description: string; content: unknown }>>;
}

export interface RouteDefinition {
  method: HttpMethod;
  /** Below the API prefix, with Fastify's :name parameters. */
  path: string;
  permission: Permission;
  /** Served at the path itself, outside the API prefix (the Prometheus export). */
  outsidePrefix?: true;
  schema: RouteSchema;
}

type SchemaOf<R extends RouteDefinition, K extends 'params' | 'querystring' | 'body'> = R['schema'] extends { [P in K]: infer S extends TSchema } ? S : undefined;

export type ParamsOf<R extends RouteDefinition> = SchemaOf<R, 'params'> extends infer S extends TSchema ? Static<S> : undefined;
/** Every query field may be left out: the manager fills in the defaults. */
export type QueryOf<R extends RouteDefinition> = SchemaOf<R, 'querystring'> extends infer S extends TSchema ? Partial<Static<S>> : undefined;
export type BodyOf<R extends RouteDefinition> = SchemaOf<R, 'body'> extends infer S extends TSchema ? Static<S> : undefined;

type Success<Res> = Res extends { 200: infer S extends TSchema } ? S : Res extends { 201: infer S extends TSchema } ? S : Res extends { 202: infer S extends TSchema } ? S : undefined;
/** What a successful call answers; nothing for 204. */
export type ResultOf<R extends RouteDefinition> = Success<R['schema']['response']> extends infer S extends TSchema ? Static<S> : void;

/** What a caller passes: the path parameters and body the route has, and its query if it has one. */
export type CallInput<R extends RouteDefinition> = (ParamsOf<R> extends undefined ? object : { params: ParamsOf<R> }) &
  (QueryOf<R> extends undefined ? object : { query?: QueryOf<R> }) &
  (BodyOf<R> extends undefined ? object : { body: BodyOf<R> });

/** The input argument, optional when the route needs none. */
export type CallArgs<R extends RouteDefinition> = object extends CallInput<R> ? [input?: CallInput<R>] : [input: CallInput<R>];

/** The path with its parameters filled in (each encoded as one segment), still below the API prefix. */
export function routePath(route: RouteDefinition, params?: object): string {
  const values = (params ?? {}) as Record<string, unknown>;
  return route.path.replace(/:(\w+)/g, (_, name: string) => {
    if (values[name] === undefined) throw new Error(`${route.method} ${route.path}: no value for :${name}`);
    return encodeURIComponent(String(values[name]));
  });
}
