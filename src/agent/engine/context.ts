// What every part of the engine works with: the engine root's layout, the WPAR records, runc,
// and the host's defaults. One per Engine; the parts are functions of it.
import { CapstanError } from '../../api/errors.js';
import type { WparSpec } from '../../api/wpar.js';
import { findCriu } from './criu.js';
import { engineRootFromEnv, engineScopeFromEnv, Layout } from './layout.js';
import { assertLocalPolicy } from './local-policy.js';
import { RecordStore } from './records.js';
import { Runc } from './runc.js';

/** Where root file systems come from (the image store). */
export interface RootfsSource {
  rootfs(image: string): string | Promise<string>;
}

export interface EngineOptions {
  /** Default: $CAPSTAN_ENGINE_ROOT or /var/lib/capstan/engine. */
  root?: string;
  /** Default: $CAPSTAN_ENGINE_SCOPE or none (see Layout). */
  scope?: string;
  /** The host bridge for interfaces that name none. */
  defaultBridge: string;
  images: RootfsSource;
  /** The host's local policy (local-policy.ts); without one, its defaults. */
  policyFile?: string;
}

export interface EngineContext {
  layout: Layout;
  records: RecordStore;
  runc: Runc;
  /** The host bridge for interfaces that name none. */
  defaultBridge: string;
  images: RootfsSource;
  /** runc with CRIU for checkpoints and restores; CAP-E1013 when this host has no usable CRIU. */
  withCriu(): Promise<Runc>;
  /** Refuses (CAP-E0214) a spec that breaks the host's local policy: before a WPAR is made, changed or run. */
  assertPolicy(spec: WparSpec): Promise<void>;
}

export function engineContext(opts: EngineOptions): EngineContext {
  const layout = new Layout(opts.root ?? engineRootFromEnv(), opts.scope ?? engineScopeFromEnv());
  let criuRunc: Promise<Runc> | undefined;
  return {
    layout,
    records: new RecordStore(layout),
    runc: new Runc(layout.runcRoot),
    defaultBridge: opts.defaultBridge,
    images: opts.images,
    assertPolicy: (spec) => assertLocalPolicy(spec, opts.policyFile, layout.root),
    withCriu() {
      // Looked for once; looked for again after a failure (CRIU may be installed meanwhile).
      criuRunc ??= findCriu().then(
        (criu) => new Runc(layout.runcRoot, criu.path),
        (e: unknown) => {
          criuRunc = undefined;
          throw new CapstanError('CAP-E1013', e instanceof Error ? e.message : String(e));
        },
      );
      return criuRunc;
    },
  };
}
