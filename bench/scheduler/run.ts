// Scheduler speed on a SIMULATED fleet: no manager, no agents, no database; 500 made-up
// systems and 10,000 made-up WPARs in memory (seeded, so every run sees the same fleet).
// It times the pure scheduler only:
//   - one balancing pass: every WPAR's performance state from its averaging period's readings,
//     every group's state, and one decide() per group (the fleet-wide move limit lifted, so
//     that every group's decision is worked out in full);
//   - the evacuation plan of a host running 100 WPARs, onto the other 499.
//
//   node --import tsx bench/scheduler/run.ts [--systems 500] [--wpars 10000] [--groups 100] [--runs 5]
// Targets: the pass under 200 ms, the evacuation plan under 50 ms (the best of the runs).
import { performance } from 'node:perf_hooks';
import type { RelocationPolicy } from '../../src/api/groups.js';
import { effectiveUtilisation } from '../../src/api/utilisation.js';
import { decide, DEFAULT_LIMITS, type Decision, type GroupWpar } from '../../src/manager/scheduler/decide.js';
import { moveCost } from '../../src/manager/scheduler/move-cost.js';
import { plan } from '../../src/manager/scheduler/plan.js';
import { normalise, type Reading } from '../../src/manager/scheduler/policy.js';
import type { Move, PlanAsk, SystemSnapshot } from '../../src/manager/scheduler/types.js';
import { arg } from '../args.js';

const SYSTEMS = arg('systems', 500);
const WPARS = arg('wpars', 10_000);
const GROUPS = arg('groups', 100);
const RUNS = arg('runs', 5);
const EVACUATED = 100;
/** Ten minutes of samples every 10 s: the default averaging period. */
const READINGS = 60;
const GIB = 2 ** 30;

/** A seeded generator (mulberry32), so the simulated fleet is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const policy: RelocationPolicy = {
  enabled: true,
  metrics: [{ metric: 'cpu', weight: 2, limit: 1, max: 95 }, { metric: 'memory', weight: 1, limit: 1 }, { metric: 'processes', weight: 1, limit: 500 }],
  maxThreshold: 70,
  minThreshold: 20,
  averagingPeriodMinutes: 10,
  triggerCount: 3,
  compatibilityTests: [],
  postCopy: true,
  restartOnHostFailure: false,
  automation: 'automatic',
  pinned: [],
  affinity: [],
  antiAffinity: [],
};

interface SimWpar {
  ask: PlanAsk;
  group: number;
  readings: Reading[];
}

/**
 * The SIMULATED fleet: systems of 16 cores and 64 GiB, each as busy as its made-up share
 * (one in a hundred asked for 120% and full, the rest 20–80%); the first runs EVACUATED small WPARs, the
 * others share the rest. Readings follow from the use, the seed's way (effective
 * utilisation), with noise: WPARs on a full system read 100% CPU.
 */
function simulatedFleet() {
  const rnd = random(42);
  const domain = { id: 'd-sim', name: 'simulated' };
  const refs = Array.from({ length: SYSTEMS }, (_, i) => ({ id: `sys-${i}`, name: `simulated-${String(i).padStart(3, '0')}` }));
  const busy = refs.map((_, i) => (i === 0 ? 0.05 : i % 100 === 50 ? 1.2 : 0.2 + 0.6 * rnd()));
  const perSystem = (WPARS - EVACUATED) / (SYSTEMS - 1);
  const placed = Array.from({ length: WPARS }, (_, i) => {
    const s = i < EVACUATED ? 0 : 1 + (i % (SYSTEMS - 1));
    const share = i < EVACUATED ? 0.1 : (16 * busy[s]!) / perSystem;
    return { s, use: { cpuCores: share * (0.8 + 0.4 * rnd()), memoryBytes: (0.1 + rnd() * (i < EVACUATED ? 0.3 : 2)) * GIB } };
  });
  const used = refs.map(() => ({ cpuCores: 0, memoryBytes: 0 }));
  for (const { s, use } of placed) {
    used[s]!.cpuCores += use.cpuCores;
    used[s]!.memoryBytes += use.memoryBytes;
  }
  let starved = 0;
  const wpars: SimWpar[] = placed.map(({ s, use }, i) => {
    const cpu = effectiveUtilisation(use.cpuCores / 16, used[s]!.cpuCores / 16);
    const memory = effectiveUtilisation(use.memoryBytes / (64 * GIB), used[s]!.memoryBytes / (64 * GIB));
    const noise = () => 0.9 + 0.2 * rnd();
    const readings = Array.from({ length: READINGS }, () => ({ cpu: Math.min(1, cpu * noise()), memory: Math.min(1, memory * noise()), processes: 50 * noise() }));
    const ask: PlanAsk = {
      wpar: { id: `w-${i}`, name: `simulated-wpar-${i}` },
      from: refs[s]!,
      use,
      domain,
      compatibility: () => 'fully',
      moveCost: () => moveCost(use.memoryBytes, 'postCopy'),
    };
    // One WPAR of each group on a full system: a group with several would stay hot after any one move.
    return { ask, group: busy[s]! > 1 ? starved++ % GROUPS : i % GROUPS, readings };
  });
  const systems: SystemSnapshot[] = refs.map((system, i) => ({
    system, state: 'Online', domain, systemProfile: null, placementBlocked: i === 0,
    capacity: { cpuCores: 16, memoryBytes: 64 * GIB }, used: { cpuCores: Math.min(16, used[i]!.cpuCores), memoryBytes: used[i]!.memoryBytes },
  }));
  return { systems, wpars };
}

function balancingPass(systems: SystemSnapshot[], wpars: SimWpar[]): Decision[] {
  const groups: GroupWpar[][] = Array.from({ length: GROUPS }, () => []);
  for (const w of wpars) groups[w.group]!.push({ ask: w.ask, metrics: normalise(policy, w.readings), movedAt: null });
  const limits = { ...DEFAULT_LIMITS, maxConcurrentMoves: Infinity };
  // Each group's event counts as in flight for the groups decided after it.
  const inFlight: Move[] = [];
  return groups.map((g) => {
    const d = decide({ policy, wpars: g, systems, inFlight, now: Date.now(), limits });
    if (d.event) inFlight.push({ wpar: d.event.wpar, from: d.event.from, to: d.event.to, use: g.find((w) => w.ask.wpar.id === d.event!.wpar.id)!.ask.use });
    return d;
  });
}

function evacuationPlan(systems: SystemSnapshot[], wpars: SimWpar[]) {
  return plan(wpars.filter((w) => w.ask.from?.id === 'sys-0').map((w) => w.ask), systems);
}

function best<T>(fn: () => T): { ms: number; out: T } {
  let ms = Infinity;
  let out!: T;
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    out = fn();
    ms = Math.min(ms, performance.now() - t0);
  }
  return { ms, out };
}

const { systems, wpars } = simulatedFleet();
console.log(`SIMULATED fleet (in memory, no agents): ${SYSTEMS} systems, ${WPARS} WPARs in ${GROUPS} groups, ${READINGS} readings each; best of ${RUNS} runs`);
const pass = best(() => balancingPass(systems, wpars));
const events = pass.out.filter((d) => d.event);
const hot = events.filter((d) => d.event?.heat === 'hot').length;
console.log(`balancing pass:   ${pass.ms.toFixed(1)} ms  (target < 200 ms) — ${events.length} mobility events (${hot} hot, ${events.length - hot} cold), ${GROUPS - events.length} groups without one`);
for (const d of pass.out.slice(0, 2)) console.log(`  e.g. ${d.event ? `${d.event.wpar.name}: ${d.event.from?.name} → ${d.event.to.name}: ${d.event.reason}` : d.reason}`);
const evac = best(() => evacuationPlan(systems, wpars));
const targets = new Set(evac.out.placements.map((p) => p.to.id));
console.log(`evacuation plan:  ${evac.ms.toFixed(1)} ms  (target < 50 ms) — ${evac.out.placements.length} of ${EVACUATED} WPARs placed on ${targets.size} systems, ${evac.out.unplaced.length} unplaced`);
if (pass.ms >= 200 || evac.ms >= 50) process.exitCode = 1;
