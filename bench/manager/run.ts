// Manager under fleet load. A LOAD GENERATOR (not an engine: it runs no WPARs) registers N
// agents through the real registration route, connects each over the real mTLS control
// channel, and speaks the real agent protocol: hello with a host profile and M WPARs,
// heartbeats, a metrics sample of the host and every WPAR every 10 s, a full inventory every
// 30 s. Meanwhile it measures the p99 latency of GET /api/v1/wpars (10,000 WPARs with the
// defaults) and the manager process's CPU, and checks that ingest keeps up (no backlog).
//
//   node --import tsx bench/manager/run.ts [--agents 500] [--wpars 20] [--seconds 60]
// Target: p99 under 100 ms, every sample stored.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import SQLite from 'better-sqlite3';
import { WebSocket, type ClientOptions } from 'ws';
import { AGENT_PATHS, HEARTBEAT_MS, type AgentMessage, type HostProfile, type RegisterResponse, type WparReport } from '../../src/api/agents.js';
import { SAMPLE_INTERVAL_MS, type MetricValues } from '../../src/api/metrics.js';
import { API_PREFIX } from '../../src/api/paths.js';
import { normalizeWparSpec, type WparSpec } from '../../src/api/wpar.js';
import { certificateRequest, newKey } from '../../src/pki/x509.js';
import { arg } from '../args.js';

const AGENTS = arg('agents', 500);
const WPARS = arg('wpars', 20);
const SECONDS = arg('seconds', 60);
const INVENTORY_MS = 30_000;

const dir = mkdtempSync(join(tmpdir(), 'capstan-bench-manager-'));
const port = 20_000 + Math.floor(Math.random() * 20_000);
const base = `https://127.0.0.1:${port}`;

function http<T>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(`${base}${API_PREFIX}${path}`, {
      method,
      rejectUnauthorized: false,
      headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : null) as T, ms: performance.now() - t0 });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

const profile: HostProfile = {
  hostname: 'loadgen', cpu: { vendor: 'GenuineIntel', model: 'load generator', flags: ['sse2'], cores: 16, mhz: 2000 }, memoryBytes: 64 * 2 ** 30,
  kernel: '6.1.0', os: { id: 'debian', version: '12', name: 'Debian GNU/Linux 12' }, libc: 'glibc 2.36', runc: '1.1.5', criu: '4.2.1',
  cgroupVersion: 1, ntpSynchronized: true, privileges: { available: [], default: [] }, memoryTransfer: { postCopy: true, preCopy: false }, collectedAt: new Date().toISOString(),
};
const values = (cpu: number): MetricValues => ({
  cpuCores: cpu, cpuUtil: cpu / 16, memoryBytes: 2 ** 28, memoryUtil: 0.01, processes: 12,
  netRxBytesPerSec: 1000, netTxBytesPerSec: 800, diskReadBytesPerSec: 0, diskWriteBytesPerSec: 4096, effectiveCpuUtil: null,
});

interface LoadAgent { name: string; key: string; cert: string; wpars: WparReport[]; ws?: WebSocket; sent: number[] }

async function main(): Promise<void> {
  console.log(`manager load: ${AGENTS} agents (load generator) x ${WPARS} WPARs, ${SECONDS} s measured, ${cpus().length} cores`);
  const manager = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../src/cli/main.ts'), 'manager', '--data-dir', dir, '--host', '127.0.0.1', '--port', String(port), '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    for (let i = 0; ; i++) {
      if ((await http('GET', '/health').catch(() => ({ status: 0 }))).status === 200) break;
      if (i > 200) throw new Error('the manager did not start');
      await sleep(100);
    }
    const first = readFileSync(join(dir, 'initial-admin-password'), 'utf8').trim();
    // A token needs a session whose one-time password has been changed.
    const token = await adminToken(first);
    const password = readFileSync(join(dir, 'agent-registration-password'), 'utf8').trim();

    const t0 = performance.now();
    const agents: LoadAgent[] = [];
    for (let a = 0; a < AGENTS; a++) {
      const name = `load-${String(a).padStart(4, '0')}`;
      const key = await newKey();
      const reg = await http<RegisterResponse>('POST', AGENT_PATHS.register, { password, csr: await certificateRequest(name, key.keys), name, host: `10.99.${a >> 8}.${a & 255}`, agentPort: 9510 });
      if (reg.status !== 201) throw new Error(`registration ${reg.status}: ${JSON.stringify(reg.body)}`);
      const wpars = Array.from({ length: WPARS }, (_, j) => ({ name: `${name}-w${j}`, spec: normalizeWparSpec({ name: `${name}-w${j}`, type: 'system' } as WparSpec), state: 'Active' as const }));
      agents.push({ name, key: key.key, cert: reg.body.certificate, wpars, sent: [] });
    }
    console.log(`registered ${AGENTS} agents in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // Connections spread over one sample interval, as real agents' clocks are.
    const timers: NodeJS.Timeout[] = [];
    await Promise.all(agents.map(async (a, i) => {
      await sleep((i / AGENTS) * SAMPLE_INTERVAL_MS);
      await connect(a, timers);
    }));
    await waitFor('10,000 WPARs reconciled', 120_000, async () => (await http<{ total: number }>('GET', '/wpars?limit=1', undefined, token)).body.total >= AGENTS * WPARS);
    console.log(`all connected and reconciled after ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const startCpu = cpuSeconds(manager.pid!);
    const startT = Date.now();
    const latencies: number[] = [];
    const bigLatencies: number[] = [];
    while (Date.now() - startT < SECONDS * 1000) {
      latencies.push((await http('GET', '/wpars', undefined, token)).ms);
      if (latencies.length % 10 === 0) bigLatencies.push((await http('GET', '/wpars?limit=1000', undefined, token)).ms);
      await sleep(50);
    }
    const endT = Date.now();
    const cpu = (cpuSeconds(manager.pid!) - startCpu) / ((endT - startT) / 1000);

    // Ingest: every sample sent in the window (but the last 5 s, still in flight) is stored.
    await sleep(2000);
    const db = new SQLite(join(dir, 'capstan.db'), { readonly: true });
    const lo = startT;
    const hi = endT - 5000;
    const sent = agents.reduce((n, a) => n + a.sent.filter((t) => t >= lo && t < hi).length, 0) * (1 + WPARS);
    const stored = (db.prepare('select count(*) as n from metric_samples where t >= ? and t < ?').get(lo, hi) as { n: number }).n;
    db.close();

    for (const t of timers) clearInterval(t);
    for (const a of agents) a.ws?.terminate();
    const p = (xs: number[], q: number): number => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
    console.log(`GET /wpars (page of 100 of ${AGENTS * WPARS}): n=${latencies.length} p50=${p(latencies, 0.5).toFixed(1)} ms p99=${p(latencies, 0.99).toFixed(1)} ms  (target p99 < 100 ms: ${p(latencies, 0.99) < 100 ? 'met' : 'NOT met'})`);
    console.log(`GET /wpars?limit=1000:              n=${bigLatencies.length} p50=${p(bigLatencies, 0.5).toFixed(1)} ms p99=${p(bigLatencies, 0.99).toFixed(1)} ms`);
    console.log(`manager CPU while loaded: ${(cpu * 100).toFixed(0)}% of one core`);
    console.log(`ingest: ${stored} of ${sent} samples sent in the window are stored (${sent === 0 ? '-' : ((stored / sent) * 100).toFixed(2)}%): ${stored >= sent ? 'no backlog' : 'BACKLOG'}`);
  } finally {
    manager.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function adminToken(first: string): Promise<string> {
  const cookieOf = async (password: string): Promise<string> => new Promise((resolve, reject) => {
    const req = request(`${base}${API_PREFIX}/auth/login`, { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      const c = res.headers['set-cookie']?.[0]?.split(';')[0];
      if (c) resolve(c);
      else reject(new Error(`login ${res.statusCode}`));
    });
    req.end(JSON.stringify({ name: 'admin', password }));
  });
  const call = <T>(cookie: string, method: string, path: string, body: unknown): Promise<T> => new Promise((resolve, reject) => {
    const req = request(`${base}${API_PREFIX}${path}`, { method, rejectUnauthorized: false, headers: { 'content-type': 'application/json', cookie } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode! < 300 ? resolve((chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : null) as T) : reject(new Error(`${path} ${res.statusCode}`))));
    });
    req.end(JSON.stringify(body));
  });
  const newPassword = 'bench-admin-password';
  await call(await cookieOf(first), 'PUT', '/auth/password', { oldPassword: first, newPassword });
  return (await call<{ token: string }>(await cookieOf(newPassword), 'POST', '/auth/tokens', { name: 'bench' })).token;
}

function connect(a: LoadAgent, timers: NodeJS.Timeout[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}${API_PREFIX}${AGENT_PATHS.channel}`, { key: a.key, cert: a.cert, rejectUnauthorized: false } as ClientOptions);
    a.ws = ws;
    const send = (m: AgentMessage): void => ws.send(JSON.stringify(m));
    ws.on('open', () => {
      send({ type: 'hello', agentVersion: 'load-generator', profile, wpars: a.wpars });
      timers.push(
        setInterval(() => send({ type: 'heartbeat' }), HEARTBEAT_MS),
        setInterval(() => {
          const t = Date.now();
          a.sent.push(t);
          send({ type: 'metrics', seq: a.sent.length, samples: [{ t, host: values(4), wpars: Object.fromEntries(a.wpars.map((w) => [w.name, values(0.2)])) }] });
        }, SAMPLE_INTERVAL_MS),
        setInterval(() => send({ type: 'inventory', wpars: a.wpars }), INVENTORY_MS),
      );
      resolve();
    });
    ws.on('unexpected-response', (_q, res) => reject(new Error(`channel refused: ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

async function waitFor(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(500);
  }
}

await main();
