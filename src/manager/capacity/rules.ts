// The rules of instant capacity as pure functions over a snapshot of one complex: what may be
// activated, deactivated and moved, in what order codewords apply, what a codeword adds, and
// whether the complex is compliant. Each refusal is a CapstanError with its stable code.
import { CapstanError } from '../../api/errors.js';
import type { ActivationRequest, CodewordKind, Components } from '../../api/capacity.js';
import { excessCores, TEMPORARY_SECONDS_PER_ACTIVATED_CORE } from './meter.js';

export type Component = 'cores' | 'memoryGiB' | 'cells';
export const COMPONENTS: readonly Component[] = ['cores', 'memoryGiB', 'cells'];

/** Rights and totals; memory and cells are null where the complex does not govern them. */
export interface ComponentLimits {
  cores: number;
  memoryGiB: number | null;
  cells: number | null;
}

export interface SystemSnapshot {
  id: string;
  name: string;
  intended: Components;
  actual: Components | null;
  /** From the host profile; null until known. */
  hostCores: number | null;
}

export interface ComplexSnapshot {
  rights: ComponentLimits;
  /** Installed components; null while unknown. */
  totals: { cores: number | null; memoryGiB: number | null; cells: number | null };
  /** Temporary capacity, core-seconds. */
  balance: number;
  systems: SystemSnapshot[];
}

const WHAT: Record<Component, string> = { cores: 'cores', memoryGiB: 'GiB of memory', cells: 'cells' };

/** What a system counts as active: what its agent reported, or — never reported — what is intended. */
export function effective(s: SystemSnapshot): Components {
  return s.actual ?? s.intended;
}

export function sumOf(list: Components[], c: Component): number {
  return list.reduce((n, x) => n + (x[c] ?? 0), 0);
}

/** Cores active beyond the core rights now: what the meter charges for. */
export function coresInUse(snap: ComplexSnapshot): number {
  return excessCores(sumOf(snap.systems.map(effective), 'cores'), snap.rights.cores);
}

function governed(snap: ComplexSnapshot, c: Component): void {
  if (snap.rights[c] === null) throw new CapstanError('CAP-E0813', WHAT[c]);
}

function systemOf(snap: ComplexSnapshot, systemId: string): SystemSnapshot {
  const s = snap.systems.find((x) => x.id === systemId);
  if (!s) throw new Error(`system ${systemId} is not in this complex snapshot`);
  return s;
}

function withIntended(snap: ComplexSnapshot, systemId: string, intended: Components): ComplexSnapshot {
  return { ...snap, systems: snap.systems.map((s) => (s.id === systemId ? { ...s, intended } : s)) };
}

/** Refuses intended totals beyond what is installed in the complex or in one host. */
function assertInstalled(after: ComplexSnapshot, changed: SystemSnapshot, c: Component): void {
  const total = after.totals[c];
  const sum = sumOf(after.systems.map((s) => s.intended), c);
  if (total !== null && sum > total) throw new CapstanError('CAP-E0806', `${sum} ${WHAT[c]} intended active, ${total} installed in the complex`);
  if (c === 'cores' && changed.hostCores !== null && changed.intended.cores > changed.hostCores) {
    throw new CapstanError('CAP-E0806', `${changed.name} has ${changed.hostCores} cores`);
  }
}

/**
 * The new intended active components of a system after activating `req` on it: within the
 * usage rights, or for cores beyond them with at least 30 minutes of temporary capacity
 * for each core activated beyond the rights.
 */
export function planActivation(snap: ComplexSnapshot, systemId: string, req: ActivationRequest): Components {
  const before = systemOf(snap, systemId);
  const intended: Components = { ...before.intended };
  for (const c of COMPONENTS) {
    const n = req[c];
    if (n === undefined || n === 0) continue;
    governed(snap, c);
    intended[c] = (intended[c] ?? 0) + n;
  }
  const after = withIntended(snap, systemId, intended);
  const changed = systemOf(after, systemId);
  if ((req.cells ?? 0) > 0) assertCellRule(snap, after);
  for (const c of COMPONENTS) {
    const n = req[c];
    if (n === undefined || n === 0) continue;
    assertInstalled(after, changed, c);
    const rights = snap.rights[c] ?? 0;
    const sum = sumOf(after.systems.map((s) => s.intended), c);
    if (sum <= rights) continue;
    if (c !== 'cores') throw new CapstanError('CAP-E0805', `${sum} ${WHAT[c]} intended active, ${rights} usage rights`);
    const beyond = Math.min(n, sum - rights);
    const needed = beyond * TEMPORARY_SECONDS_PER_ACTIVATED_CORE;
    if (snap.balance < needed) {
      throw new CapstanError('CAP-E0805', `${beyond} core(s) beyond the ${rights} core usage rights need ${needed} core-seconds of temporary capacity; ${snap.balance} left`);
    }
  }
  return intended;
}

/**
 * The seed's cell rule: a cell activates only with usage rights for all of the memory on it
 * and for at least one core. Cells are alike, so a cell's memory is the complex's installed
 * memory over its cells; where either is unknown only the core part can be checked.
 */
function assertCellRule(snap: ComplexSnapshot, after: ComplexSnapshot): void {
  const cells = sumOf(after.systems.map((s) => s.intended), 'cells');
  if (cells > snap.rights.cores) {
    throw new CapstanError('CAP-E0814', `${cells} active cells need usage rights for at least ${cells} cores (one each); ${snap.rights.cores} held`);
  }
  const { memoryGiB: memory, cells: installedCells } = snap.totals;
  if (snap.rights.memoryGiB === null || memory === null || !installedCells) return;
  const perCell = memory / installedCells;
  if (cells * perCell > snap.rights.memoryGiB) {
    throw new CapstanError('CAP-E0814', `${cells} active cells of ${perCell} GiB each need usage rights for ${cells * perCell} GiB of memory; ${snap.rights.memoryGiB} GiB held`);
  }
}

/** The new intended active components after deactivating `req`: always allowed, down to none. */
export function planDeactivationOf(snap: ComplexSnapshot, systemId: string, req: ActivationRequest): Components {
  const s = systemOf(snap, systemId);
  const intended: Components = { ...s.intended };
  for (const c of COMPONENTS) {
    const n = req[c];
    if (n === undefined || n === 0) continue;
    governed(snap, c);
    const now = intended[c] ?? 0;
    if (n > now) throw new CapstanError('CAP-E0807', `${s.name} has ${now} ${WHAT[c]} intended active`);
    intended[c] = now - n;
  }
  return intended;
}

/** Moves intended active cores between two systems of the complex: the total stays, so the rights are not consulted. */
export function planMove(snap: ComplexSnapshot, fromId: string, toId: string, cores: number): { from: Components; to: Components } {
  const from = systemOf(snap, fromId);
  const to = systemOf(snap, toId);
  if (fromId === toId) throw new CapstanError('CAP-E0001', 'moving cores needs two different systems');
  if (from.intended.cores < cores) throw new CapstanError('CAP-E0807', `${from.name} has ${from.intended.cores} cores intended active`);
  const moved = { from: { ...from.intended, cores: from.intended.cores - cores }, to: { ...to.intended, cores: to.intended.cores + cores } };
  if (to.hostCores !== null && moved.to.cores > to.hostCores) throw new CapstanError('CAP-E0806', `${to.name} has ${to.hostCores} cores`);
  return moved;
}

/** Codewords apply in the order they were issued: the next one is last + 1. */
export function assertSequence(sequence: number, lastSequence: number, appliedDigest: string | undefined, digest: string): void {
  if (sequence <= lastSequence) {
    if (appliedDigest === digest) throw new CapstanError('CAP-E0804', `sequence ${sequence}`);
    throw new CapstanError('CAP-E0803', `sequence ${sequence} is taken: codeword ${lastSequence + 1} is the next one`);
  }
  if (sequence > lastSequence + 1) throw new CapstanError('CAP-E0803', `this is codeword ${sequence}; codeword ${lastSequence + 1} is the next one`);
}

/** What a codeword adds: to the usage rights, or to the temporary capacity balance. */
export function codewordEffect(kind: CodewordKind, quantity: number): { rights?: Partial<Record<Component, number>>; temporarySeconds?: number } {
  switch (kind) {
    case 'cores': return { rights: { cores: quantity } };
    case 'memory': return { rights: { memoryGiB: quantity } };
    case 'cell': return { rights: { cells: quantity } };
    case 'temporary': return { temporarySeconds: quantity };
  }
}

/**
 * The seed: compliant while no component type has more active than usage rights, except that
 * cores may exceed theirs on a positive temporary balance; a negative balance never is.
 */
export function complianceOf(snap: ComplexSnapshot): { compliant: boolean; reasons: string[] } {
  const reasons: string[] = [];
  const active = snap.systems.map(effective);
  const cores = sumOf(active, 'cores');
  if (snap.balance < 0) reasons.push(`the temporary capacity balance is negative (${snap.balance} core-seconds)`);
  else if (cores > snap.rights.cores && snap.balance === 0) reasons.push(`${cores} cores active, ${snap.rights.cores} usage rights, and no temporary capacity left`);
  for (const c of ['memoryGiB', 'cells'] as const) {
    const rights = snap.rights[c];
    const n = sumOf(active, c);
    if (rights !== null && n > rights) reasons.push(`${n} ${WHAT[c]} active, ${rights} usage rights`);
  }
  return { compliant: reasons.length === 0, reasons };
}

/** Splits `amount` over `n` systems as evenly as possible (the first ones get the remainder), each capped by `caps`. */
export function distribute(amount: number, caps: (number | null)[]): number[] {
  const out = caps.map(() => 0);
  let left = amount;
  while (left > 0) {
    let gave = false;
    for (let i = 0; i < caps.length && left > 0; i++) {
      const cap = caps[i];
      if (cap !== null && cap !== undefined && (out[i] ?? 0) >= cap) continue;
      out[i] = (out[i] ?? 0) + 1;
      left -= 1;
      gave = true;
    }
    if (!gave) break;
  }
  return out;
}
