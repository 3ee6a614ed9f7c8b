// mkwpar's specification files: -o writes the WPAR's spec as JSON, -f reads one back on any host.
import { readFile, writeFile } from 'node:fs/promises';
import { CapstanError } from '../../api/errors.js';
import { normalizeWparSpec, type WparSpec } from '../../api/wpar.js';

/** The system WPAR spec in `file`; CAP-E1020 when it cannot be read, is not JSON or not a valid system WPAR spec. */
export async function readSpecFile(file: string): Promise<WparSpec> {
  let spec: WparSpec;
  try {
    spec = normalizeWparSpec(JSON.parse(await readFile(file, 'utf8')));
  } catch (e) {
    throw new CapstanError('CAP-E1020', `${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (spec.type !== 'system') throw new CapstanError('CAP-E1020', `${file}: an application WPAR (run it with wparexec)`);
  return spec;
}

/** Writes `spec` to a new `file`: an existing file is never overwritten (CAP-E1021). */
export async function writeSpecFile(file: string, spec: WparSpec): Promise<void> {
  await writeFile(file, JSON.stringify(spec, null, 2) + '\n', { flag: 'wx' }).catch((e: Error) => {
    throw new CapstanError('CAP-E1021', `${file}: ${e.message}`);
  });
}
