// Agent registration and trust: the registration password, certificates signed by the
// manager's CA, renewal, and revocation (removing a managed system revokes its agent). A
// registration never takes a system over from its registered agent by itself: it waits for
// an administrator (registration-requests.ts). Failed attempts are throttled per address.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { MIN_REGISTRATION_PASSWORD, type AgentView, type RegisterRequest, type RegisterResponse } from '../../api/agents.js';
import { CapstanError, isCapstanError } from '../../api/errors.js';
import { writeFileDurableSync } from '../../fs/durable.js';
import { requestKeyFingerprint } from '../../pki/x509.js';
import { randomSecret } from '../auth/passwords.js';
import { LoginThrottle } from '../auth/throttle.js';
import { DEFAULTS } from '../db/migrations.js';
import type { Database } from '../db/schema.js';
import { CertificateAuthority, DEFAULT_AGENT_CERT_SECONDS } from '../pki/ca.js';
import { RegistrationRequests } from './registration-requests.js';

/** Readable by root only, in the data directory: what `capstan agent configure` asks for. */
export const REGISTRATION_PASSWORD_FILE = 'agent-registration-password';
/** The throttle's "user name" for registration attempts: they are counted per address. */
const REGISTRATION = 'agent registration';

export class AgentEnrolment {
  private readonly passwordFile: string;
  private authority?: Promise<CertificateAuthority>;
  readonly requests: RegistrationRequests;
  /** Failed registrations (wrong password, malformed request) per source address. */
  private readonly throttle = new LoginThrottle();

  constructor(private readonly db: Kysely<Database>, private readonly dataDir: string, private readonly certificateSeconds = DEFAULT_AGENT_CERT_SECONDS) {
    if (!Number.isInteger(certificateSeconds) || certificateSeconds < 10) {
      throw new CapstanError('CAP-E0001', `agents.certificateLifetimeSeconds must be a whole number of seconds, at least 10 (not ${String(certificateSeconds)})`);
    }
    this.requests = new RegistrationRequests(db);
    this.passwordFile = join(dataDir, REGISTRATION_PASSWORD_FILE);
    try {
      readFileSync(this.passwordFile);
    } catch {
      this.setPassword(randomSecret(12));
    }
  }

  /** The CA, made on first use. */
  ca(): Promise<CertificateAuthority> {
    return (this.authority ??= CertificateAuthority.open(this.dataDir));
  }

  async caCertificate(): Promise<string> {
    return (await this.ca()).certPem;
  }

  registrationPassword(): string {
    return readFileSync(this.passwordFile, 'utf8').trim();
  }

  /** The API's schema asks for 16 characters too; this also covers the file written by hand. */
  setPassword(password: string): void {
    if (password.length < MIN_REGISTRATION_PASSWORD) throw new CapstanError('CAP-E0001', `the registration password needs at least ${MIN_REGISTRATION_PASSWORD} characters`);
    writeFileDurableSync(this.passwordFile, password + '\n', 0o600);
  }

  /**
   * Registers the agent of a host from `source` (its address). A system of that name whose
   * agent is registered is taken over only once an administrator approved this very request
   * (CAP-E0613 while it waits, CAP-E0614 when refused); otherwise the system is added, or its
   * agentless record taken. Nothing changes when anything is refused.
   */
  async register(req: RegisterRequest, source: string): Promise<RegisterResponse> {
    try {
      this.throttle.begin(REGISTRATION, source);
    } catch (e) {
      throw isCapstanError(e) ? new CapstanError('CAP-E0616', undefined, e.details) : e;
    }
    // The slot taken above goes back exactly once: as a failure, a success, or neither.
    let settled = false;
    const settle = (outcome: 'failed' | 'succeeded'): void => {
      settled = true;
      this.throttle[outcome](REGISTRATION, source);
    };
    try {
      return await this.registerWithSlot(req, source, settle);
    } finally {
      if (!settled) this.throttle.abandoned(REGISTRATION, source);
    }
  }

  private async registerWithSlot(req: RegisterRequest, source: string, settle: (outcome: 'failed' | 'succeeded') => void): Promise<RegisterResponse> {
    const expected = Buffer.from(this.registrationPassword());
    if (expected.length < MIN_REGISTRATION_PASSWORD) throw new CapstanError('CAP-E0612');
    const given = Buffer.from(req.password);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      settle('failed');
      throw new CapstanError('CAP-E0600');
    }
    let fingerprint: string;
    try {
      fingerprint = await requestKeyFingerprint(req.csr);
    } catch (e) {
      settle('failed');
      throw new CapstanError('CAP-E0602', e instanceof Error ? e.message : String(e));
    }
    const existing = await this.db.selectFrom('systems').select(['id', 'name']).where('name', '=', req.name).executeTakeFirst();
    if (existing && (await this.hasCurrentAgent(existing.id))) {
      const asked = await this.requests.find(req.name);
      const same = asked && asked.csr === req.csr && asked.host === req.host && asked.agent_port === req.agentPort;
      if (!same) {
        await this.requests.wait(req, fingerprint, source);
        throw new CapstanError('CAP-E0613', `${req.name} (key ${fingerprint})`);
      }
      if (asked.state === 'pending') throw new CapstanError('CAP-E0613', `${req.name} (key ${fingerprint})`);
      if (asked.state === 'refused') throw new CapstanError('CAP-E0614', req.name);
    }
    const systemId = existing?.id ?? randomUUID();
    let signed;
    try {
      signed = await (await this.ca()).sign(req.csr, systemId, this.certificateSeconds);
    } catch (e) {
      throw new CapstanError('CAP-E0602', e instanceof Error ? e.message : String(e));
    }
    const now = new Date().toISOString();
    await this.db.transaction().execute(async (trx) => {
      if (existing) {
        await trx.updateTable('systems').set({ host: req.host, updated_at: now }).where('id', '=', systemId).execute();
        await revokeAll(trx, systemId, now);
      } else {
        await trx.insertInto('systems')
          .values({ id: systemId, name: req.name, host: req.host, state: 'Unknown', domain_id: DEFAULTS.domainId, profile: null, created_at: now, updated_at: now, last_seen_at: null })
          .execute();
      }
      await trx.insertInto('agent_certificates')
        .values({ serial: signed.serial, system_id: systemId, state: 'registered', agent_port: req.agentPort, not_after: signed.notAfter.toISOString(), created_at: now, revoked_at: null })
        .execute();
      await this.requests.remove(req.name, trx);
    });
    settle('succeeded');
    return { systemId, systemName: req.name, certificate: signed.pem, caCertificate: await this.caCertificate() };
  }

  /** Whether the system has an agent with a current certificate (one that could be taken over). */
  private async hasCurrentAgent(systemId: string): Promise<boolean> {
    const row = await this.db.selectFrom('agent_certificates').select('serial')
      .where('system_id', '=', systemId).where('state', '=', 'registered').where('not_after', '>', new Date().toISOString())
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The system a presented certificate belongs to, if it is registered and current. */
  async systemOf(serial: string): Promise<string> {
    const row = await this.db.selectFrom('agent_certificates')
      .innerJoin('systems', 'systems.id', 'agent_certificates.system_id')
      .select(['agent_certificates.system_id', 'agent_certificates.state', 'agent_certificates.not_after'])
      .where('agent_certificates.serial', '=', serial.toUpperCase())
      .executeTakeFirst();
    if (!row || row.state !== 'registered' || Date.parse(row.not_after) <= Date.now()) throw new CapstanError('CAP-E0601', serial);
    return row.system_id;
  }

  /** A new certificate for a connected agent whose current one nears its end. */
  async renew(systemId: string, csr: string): Promise<string> {
    const port = await this.db.selectFrom('agent_certificates').select('agent_port').where('system_id', '=', systemId).where('state', '=', 'registered')
      .orderBy('created_at', 'desc').executeTakeFirst();
    if (!port) throw new CapstanError('CAP-E0601', `system ${systemId}`);
    const signed = await (await this.ca()).sign(csr, systemId, this.certificateSeconds).catch((e: unknown) => {
      throw new CapstanError('CAP-E0602', e instanceof Error ? e.message : String(e));
    });
    await this.db.insertInto('agent_certificates')
      .values({ serial: signed.serial, system_id: systemId, state: 'registered', agent_port: port.agent_port, not_after: signed.notAfter.toISOString(), created_at: new Date().toISOString(), revoked_at: null })
      .execute();
    return signed.pem;
  }

  /**
   * The agent saved its renewed certificate `serial`: the ones it replaces are revoked (only
   * now, so that an agent that lost the renewal's answer still has a certificate that works).
   * Whether any was.
   */
  async retire(systemId: string, serial: string): Promise<boolean> {
    if ((await this.systemOf(serial)) !== systemId) throw new CapstanError('CAP-E0601', serial);
    const r = await this.db.updateTable('agent_certificates').set({ state: 'revoked', revoked_at: new Date().toISOString() })
      .where('system_id', '=', systemId).where('state', '=', 'registered').where('serial', '!=', serial.toUpperCase())
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async revoke(systemId: string): Promise<void> {
    await revokeAll(this.db, systemId, new Date().toISOString());
  }

  /** Revoked serials that have not expired yet (expired ones are refused anyway). */
  async revokedSerials(): Promise<string[]> {
    const rows = await this.db.selectFrom('agent_certificates').select('serial')
      .where('state', '=', 'revoked').where('not_after', '>', new Date().toISOString()).execute();
    return rows.map((r) => r.serial);
  }

  /** The agent of every system that has one: its newest certificate. */
  async list(connected: (systemId: string) => boolean): Promise<AgentView[]> {
    const rows = await this.db.selectFrom('agent_certificates')
      .innerJoin('systems', 'systems.id', 'agent_certificates.system_id')
      .select(['agent_certificates.system_id', 'systems.name', 'agent_certificates.state', 'agent_certificates.serial', 'agent_certificates.not_after', 'agent_certificates.agent_port', 'agent_certificates.created_at'])
      .orderBy('systems.name').orderBy('agent_certificates.created_at', 'desc')
      .execute();
    const seen = new Set<string>();
    const views: AgentView[] = [];
    for (const r of rows) {
      if (seen.has(r.system_id)) continue;
      seen.add(r.system_id);
      views.push({
        systemId: r.system_id,
        systemName: r.name,
        state: r.state,
        certificateSerial: r.serial,
        certificateExpiresAt: r.not_after,
        agentPort: r.agent_port,
        connected: connected(r.system_id),
        registeredAt: r.created_at,
      });
    }
    return views;
  }
}

async function revokeAll(db: Kysely<Database>, systemId: string, now: string): Promise<void> {
  await db.updateTable('agent_certificates').set({ state: 'revoked', revoked_at: now })
    .where('system_id', '=', systemId).where('state', '=', 'registered').execute();
}
