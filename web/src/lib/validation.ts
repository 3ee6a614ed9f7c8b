// Validation messages next to the fields, from the same TypeBox schemas the manager checks
// with (src/api), and from the manager's own refusal details when it still says no.
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { ApiError } from '../api/client.js';

/** Field path ("/resources/memoryLimitMiB") → message. "" holds what belongs to no field. */
export type FieldErrors = Record<string, string>;

interface SchemaError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

/** What a pattern means, for the patterns the shared schemas use (after "Must"); the raw pattern reads badly. */
const PATTERN_HINTS: Record<string, string> = {
  '^[a-zA-Z][a-zA-Z0-9_-]{0,29}$': 'start with a letter; up to 30 letters, digits, "_" or "-"',
  '^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$': 'start with a letter or digit; up to 63 letters, digits, "_", "." or "-"',
  '^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,62})$': 'be a host name: letters, digits, "." and "-", up to 63 characters',
  '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$': 'start with a letter or digit; up to 64 letters, digits, ".", "_" or "-"',
  '^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,63}$': 'be letters, digits, "_", "." or "-", up to 64 characters',
  '^/': 'be an absolute path, starting with "/"',
  '^CAP_[A-Z_]+$': 'be a capability name such as CAP_NET_ADMIN',
  '^[a-zA-Z0-9_.-]{1,15}$': 'be a bridge name of up to 15 letters, digits, "_", "." or "-"',
};

function readable(e: SchemaError): string {
  const p = e.params;
  switch (e.keyword) {
    case 'pattern': return `Must ${PATTERN_HINTS[String(p.pattern)] ?? `match ${String(p.pattern)}`}.`;
    case 'format': return p.format === 'ipv4' ? 'Must be an IPv4 address such as 10.50.0.5.' : `Must be a valid ${String(p.format)}.`;
    case 'minLength': return Number(p.limit) === 1 ? 'Required.' : `At least ${String(p.limit)} characters.`;
    case 'maxLength': return `At most ${String(p.limit)} characters.`;
    case 'minimum': return `Must be at least ${String(p.limit)}.`;
    case 'maximum': return `Must be at most ${String(p.limit)}.`;
    case 'exclusiveMinimum': return `Must be more than ${String(p.limit)}.`;
    case 'type': return 'Must be a number.';
    case 'required': return 'Required.';
    case 'minItems': return 'Give at least one.';
    default: return `${e.message.charAt(0).toUpperCase()}${e.message.slice(1)}.`;
  }
}

/** Checks a value against a shared schema; the first problem of each field. */
export function schemaErrors(schema: TSchema, value: unknown): FieldErrors {
  const out: FieldErrors = {};
  for (const e of Value.Errors(schema, value) as SchemaError[]) {
    const path = e.keyword === 'required' ? `${e.instancePath}/${String((e.params.requiredProperties as string[] | undefined)?.[0] ?? '')}` : e.instancePath;
    out[path] ??= readable(e);
  }
  return out;
}

/**
 * The manager's answer as field errors: a schema refusal carries Ajv's list in `details`
 * (each with its instancePath); anything else is a message for the whole form.
 */
export function serverErrors(e: unknown): FieldErrors {
  if (e instanceof ApiError && Array.isArray(e.details)) {
    const out: FieldErrors = {};
    for (const d of e.details as SchemaError[]) {
      if (typeof d?.instancePath === 'string') out[d.instancePath] ??= readable(d);
    }
    if (Object.keys(out).length > 0) return out;
  }
  const message = e instanceof ApiError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
  return { '': message };
}
