// `capstan agent configure`: registers this host's agent with a manager, as the seed's
// configure-agent does, failing with a clear code when the manager cannot be reached, the
// password is wrong, the agent is already configured (without --force) or its port is taken.
// Under the name of a system whose agent is registered, it waits (asking again with the same
// request) until an administrator approves or refuses. Nothing is written unless the
// registration succeeded. With --force to a different manager, once the new one has
// registered it, the old one is asked (with the old certificate) to unregister it; an old
// manager that cannot be reached is reported, never a reason to fail.
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RegisterResponse } from '../../api/agents.js';
import { CapstanError, ERRORS, type ErrorCode } from '../../api/errors.js';
import { routes } from '../../api/routes/index.js';
import { ApiClient, ApiError, fingerprintOf, peerCertificate } from '../../client/api-client.js';
import { certificateRequest, keyFingerprint, newKey } from '../../pki/x509.js';
import type { AgentFiles, AgentIdentity, AgentSettings } from './config.js';
import { runningPid } from './process.js';

export interface ConfigureOptions {
  managerHost: string;
  managerPort: number;
  agentPort: number;
  password: string;
  force?: boolean;
  /** The system's name in the manager; default: this host's name. */
  name?: string;
  /** The address to listen on and be reached at; default: the one this host reaches the manager from. */
  host?: string;
  /** When given, the manager's certificate must have this SHA-256 fingerprint. */
  fingerprint?: string;
  engine?: Pick<AgentSettings, 'engineRoot' | 'bridge' | 'imageRoot'>;
  /** Told once when the registration waits for an administrator: the fingerprint of this agent's key, to compare. */
  onWaiting?: (keyFingerprint: string) => void;
  /** How long to wait for an administrator's decision (default 10 minutes), asking again every `pollMs`. */
  approvalWaitMs?: number;
  pollMs?: number;
  /** Told what became of the registration with the manager this agent leaves (--force to a different one). */
  onLeft?: (left: LeftManager) => void;
  /** How long the manager left may take to answer (default 10 s). */
  leaveTimeoutMs?: number;
}

/** The manager a reconfigured agent left, and whether it unregistered it. */
export interface LeftManager {
  manager: string;
  unregistered: boolean;
  /** Why it did not. */
  reason?: string;
}

const APPROVAL_WAIT_MS = 10 * 60_000;
const POLL_MS = 2000;
const LEAVE_TIMEOUT_MS = 10_000;

export async function configureAgent(files: AgentFiles, o: ConfigureOptions): Promise<AgentSettings> {
  const previous = files.configured() ? { settings: files.settings(), identity: files.identity() } : undefined;
  if (previous && !o.force) {
    const s = previous.settings;
    throw new CapstanError('CAP-E0603', `${s.managerHost}:${s.managerPort} as ${s.systemName}`);
  }
  const pid = runningPid(files);
  if (pid !== undefined) throw new CapstanError('CAP-E0608', `pid ${pid}: stop it before configuring it again`);
  const url = managerUrl(o.managerHost, o.managerPort);
  let peer;
  try {
    peer = await peerCertificate(url);
  } catch (e) {
    throw new CapstanError('CAP-E0605', `${url}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (o.fingerprint && fingerprintOf(peer.pem).replace(/:/g, '').toLowerCase() !== o.fingerprint.replace(/:/g, '').toLowerCase()) {
    throw new CapstanError('CAP-E0605', `${url} presented a certificate with another fingerprint (${fingerprintOf(peer.pem)})`);
  }
  const host = o.host ?? peer.localAddress;
  await checkPortFree(host, o.agentPort);

  const name = o.name ?? hostname().split('.')[0]!;
  const key = await newKey();
  const client = new ApiClient({ url, certificate: peer.pem });
  const body = { password: o.password, csr: await certificateRequest(name, key.keys), name, host, agentPort: o.agentPort };
  const deadline = Date.now() + (o.approvalWaitMs ?? APPROVAL_WAIT_MS);
  let reg: RegisterResponse | undefined;
  for (let told = false; !reg;) {
    try {
      reg = await client.call(routes.agents.register, { body });
    } catch (e) {
      const waiting = e instanceof ApiError && e.code === 'CAP-E0613';
      if (!waiting || Date.now() >= deadline) {
        if (e instanceof ApiError && e.code in ERRORS) throw new CapstanError(e.code as ErrorCode, e.message.replace(/^[^:]*: /, ''));
        throw new CapstanError('CAP-E0605', e instanceof Error ? e.message : String(e));
      }
      if (!told) o.onWaiting?.(await keyFingerprint(key.keys));
      told = true;
      await sleep(o.pollMs ?? POLL_MS);
    }
  }
  const settings: AgentSettings = {
    managerHost: o.managerHost, managerPort: o.managerPort, agentPort: o.agentPort, host,
    systemId: reg.systemId, systemName: reg.systemName, logLevel: 'info', ...o.engine,
  };
  // A different manager is one with another certificate (the same one may be reached by another address).
  if (previous && fingerprintOf(previous.identity.manager) !== fingerprintOf(peer.pem)) {
    o.onLeft?.(await unregisterFrom(previous.settings, previous.identity, o.leaveTimeoutMs ?? LEAVE_TIMEOUT_MS));
  }
  files.forget();
  files.save(settings, { key: key.key, cert: reg.certificate, ca: reg.caCertificate, manager: peer.pem });
  return settings;
}

function managerUrl(host: string, port: number): string {
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Asks the manager an agent leaves to unregister it, as itself (its client certificate);
 * done only after the new manager registered it, so a failed registration leaves it as it was.
 */
async function unregisterFrom(s: AgentSettings, id: AgentIdentity, timeoutMs: number): Promise<LeftManager> {
  const url = managerUrl(s.managerHost, s.managerPort);
  const client = new ApiClient({ url, certificate: id.manager, identity: { key: id.key, cert: id.cert }, timeoutMs });
  try {
    await client.call(routes.agents.unregister);
    return { manager: url, unregistered: true };
  } catch (e) {
    return { manager: url, unregistered: false, reason: e instanceof ApiError ? `${e.code} ${e.message}` : e instanceof Error ? e.message : String(e) };
  }
}

async function checkPortFree(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', (e: NodeJS.ErrnoException) => {
      reject(e.code === 'EADDRINUSE' ? new CapstanError('CAP-E0604', `${host}:${port}`) : new CapstanError('CAP-E0001', `cannot listen on ${host}:${port}: ${e.message}`));
    });
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve()));
  });
}
