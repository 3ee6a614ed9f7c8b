// The codeword issuers this manager trusts: public keys from manager.json ("capacity.issuerKeys")
// and those added through the API. A codeword signed by none of them is refused.
import type { KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import { CapstanError } from '../../api/errors.js';
import type { AddIssuerKeyRequest, IssuerKeyView } from '../../api/capacity.js';
import type { Database } from '../db/schema.js';
import { canonicalPublicKey, keyId, parsePublicKey } from './codeword.js';

export class IssuerKeys {
  private readonly configured: IssuerKeyView[];

  constructor(private readonly db: Kysely<Database>, configured: Record<string, string> = {}) {
    this.configured = Object.entries(configured).map(([name, text]) => {
      const publicKey = canonicalPublicKey(text);
      parsePublicKey(publicKey);
      return { id: keyId(publicKey), name, publicKey, source: 'config', createdAt: null };
    });
  }

  async list(): Promise<IssuerKeyView[]> {
    const rows = await this.db.selectFrom('capacity_issuer_keys').selectAll().orderBy('name').execute();
    return [...this.configured, ...rows.map((r): IssuerKeyView => ({ id: r.id, name: r.name, publicKey: r.public_key, source: 'api', createdAt: r.created_at }))];
  }

  async add(req: AddIssuerKeyRequest): Promise<IssuerKeyView> {
    const publicKey = canonicalPublicKey(req.publicKey);
    parsePublicKey(publicKey);
    const id = keyId(publicKey);
    const known = await this.list();
    if (known.some((k) => k.name === req.name)) throw new CapstanError('CAP-E0003', `issuer ${req.name}`);
    if (known.some((k) => k.id === id)) throw new CapstanError('CAP-E0003', `issuer key ${id}`);
    const createdAt = new Date().toISOString();
    await this.db.insertInto('capacity_issuer_keys').values({ id, name: req.name, public_key: publicKey, created_at: createdAt }).execute();
    return { id, name: req.name, publicKey, source: 'api', createdAt };
  }

  /** Removes a key added through the API (configured ones live in manager.json). */
  async remove(ref: string): Promise<void> {
    if (this.configured.some((k) => k.id === ref || k.name === ref)) {
      throw new CapstanError('CAP-E0004', `issuer ${ref} is configured in manager.json`);
    }
    const r = await this.db.deleteFrom('capacity_issuer_keys').where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)])).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new CapstanError('CAP-E0002', `issuer ${ref}`);
  }

  async trusted(): Promise<KeyObject[]> {
    return (await this.list()).map((k) => parsePublicKey(k.publicKey));
  }
}
