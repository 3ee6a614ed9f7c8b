// Where an agent keeps its configuration and identity: one directory (default
// /etc/capstan/agent, or $CAPSTAN_AGENT_DIR; lab hosts have their own). The key never leaves it.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CapstanError } from '../../api/errors.js';
import { writeFileDurableSync } from '../../fs/durable.js';

export const DEFAULT_AGENT_DIR = '/etc/capstan/agent';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type AgentLogLevel = (typeof LOG_LEVELS)[number];

export interface AgentSettings {
  managerHost: string;
  managerPort: number;
  agentPort: number;
  /** The address the agent listens on and the manager records for it. */
  host: string;
  systemId: string;
  systemName: string;
  logLevel: AgentLogLevel;
  /** Engine set-up of this host (lab hosts differ from the machine's). */
  engineRoot?: string;
  bridge?: string;
  /** The host's address on its bridge (the WPARs' gateway); null: none. Unset: 10.50.0.1/24 on capstan0. */
  bridgeAddress?: string | null;
  /** NAT from the bridge's subnet to the host's uplinks. */
  nat?: boolean;
  imageRoot?: string;
  /** A state directory shared with other hosts (same path on each): relocations between them pass their images through it. */
  sharedStateDir?: string;
}

export interface AgentIdentity {
  key: string;
  cert: string;
  /** The manager's CA: peers' certificates are checked against it. */
  ca: string;
  /** The manager's server certificate as first seen (pinned). */
  manager: string;
}

export function agentDirFromEnv(): string {
  return process.env.CAPSTAN_AGENT_DIR || DEFAULT_AGENT_DIR;
}

export class AgentFiles {
  constructor(readonly dir: string) {}

  private path(name: string): string {
    return join(this.dir, name);
  }

  get pidFile(): string {
    return this.path('agent.pid');
  }

  get logFile(): string {
    return this.path('agent.log');
  }

  /** Reported metrics and inventory waiting for the manager. */
  get spoolFile(): string {
    return this.path('spool.jsonl');
  }

  /** The instant capacity the manager last asked this host to enforce. */
  get capacityFile(): string {
    return this.path('capacity.json');
  }

  /** The serials of revoked agent certificates, as the manager last sent them: peers are checked against them after a restart too. */
  revocations(): Set<string> {
    try {
      return new Set(JSON.parse(readFileSync(this.path('revoked.json'), 'utf8')) as string[]);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
      throw e;
    }
  }

  saveRevocations(serials: string[]): void {
    this.write('revoked.json', JSON.stringify(serials) + '\n');
  }

  configured(): boolean {
    return existsSync(this.path('agent.json'));
  }

  settings(): AgentSettings {
    if (!this.configured()) throw new CapstanError('CAP-E0607', this.dir);
    return JSON.parse(readFileSync(this.path('agent.json'), 'utf8')) as AgentSettings;
  }

  identity(): AgentIdentity {
    const read = (n: string): string => readFileSync(this.path(n), 'utf8');
    const own = JSON.parse(read('agent-identity.json')) as { key: string; cert: string };
    return { ...own, ca: read('ca.pem'), manager: read('manager.pem') };
  }

  /** Writes everything of a new registration; agent.json last, so a half-written one is not "configured". */
  save(settings: AgentSettings, identity: AgentIdentity): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.saveCertificate(identity.key, identity.cert);
    this.write('ca.pem', identity.ca);
    this.write('manager.pem', identity.manager);
    this.saveSettings(settings);
  }

  saveSettings(settings: AgentSettings): void {
    this.write('agent.json', JSON.stringify(settings, null, 2) + '\n');
  }

  /** Replaces the certificate (renewal) together with its key, in one step. */
  saveCertificate(key: string, cert: string): void {
    this.write('agent-identity.json', JSON.stringify({ key, cert }), 0o600);
  }

  /** Forgets the registration (configure --force leaves the old manager). */
  forget(): void {
    for (const n of ['agent.json', 'agent-identity.json', 'ca.pem', 'manager.pem', 'spool.jsonl', 'revoked.json']) rmSync(this.path(n), { force: true });
  }

  /** Durably: a registration or renewal the manager has recorded must survive a power loss here too. */
  private write(name: string, text: string, mode = 0o644): void {
    writeFileDurableSync(this.path(name), text, mode);
  }
}
