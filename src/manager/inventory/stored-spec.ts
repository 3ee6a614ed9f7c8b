// How a WPAR's definition is kept in its row: the spec as JSON. Read back through here only,
// so a row that does not hold a valid spec is a clear internal error, not a crash later on.
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import { CapstanError } from '../../api/errors.js';
import { WparSpec } from '../../api/wpar.js';

const checkSpec = Compile(WparSpec);

export function parseStoredSpec(json: string, wparName: string): WparSpec {
  // Defaults first: a spec stored before a property with a default existed is still valid.
  const spec: unknown = Value.Default(WparSpec, JSON.parse(json));
  if (!checkSpec.Check(spec)) throw new CapstanError('CAP-E0005', `the stored definition of WPAR ${wparName} is not valid`);
  return spec;
}

export function storeSpec(spec: WparSpec): string {
  return JSON.stringify(spec);
}
