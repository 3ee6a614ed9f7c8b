// Codewords: what the issuer (the seed's vendor portal) sells, bound to one complex serial
// and numbered, signed with the issuer's Ed25519 key and written in the typeable alphabet.
//
// Payload (17 bytes, big-endian): version·kind (1) | sha256(serial)[0..6) (6) | sequence (2) |
// quantity (4) | issued at, Unix seconds (4). Then the signature (64) over a domain tag and
// the payload. Quantity: cores, GiB of memory, cells, or core-seconds of temporary capacity.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { CapstanError } from '../../api/errors.js';
import { CODEWORD_KINDS, ISSUER_PUBLIC_KEY, type CodewordKind } from '../../api/capacity.js';
import { decodeTypeable, encodeTypeable, TypeableError } from './typeable.js';

const VERSION = 1;
const PAYLOAD_BYTES = 17;
const SIGNATURE_BYTES = 64;
const TOTAL_BYTES = PAYLOAD_BYTES + SIGNATURE_BYTES;
const DOMAIN = Buffer.from('capstan codeword v1\0');
export const MAX_SEQUENCE = 0xffff;
export const MAX_QUANTITY = 0xffffffff;

export interface CodewordContent {
  kind: CodewordKind;
  serial: string;
  sequence: number;
  quantity: number;
  /** Unix seconds. */
  issuedAt: number;
}

/** A decoded codeword whose signature has not been checked yet. */
export interface ParsedCodeword {
  kind: CodewordKind;
  serialHash: string;
  sequence: number;
  quantity: number;
  issuedAt: number;
  payload: Buffer;
  signature: Buffer;
  /** sha256 of payload and signature: the same codeword always has the same digest. */
  digest: string;
}

/** The first six bytes of sha256(serial), hex: how a codeword names its complex. */
export function serialHash(serial: string): string {
  return createHash('sha256').update(serial, 'utf8').digest().subarray(0, 6).toString('hex');
}

function kindCode(kind: CodewordKind): number {
  return CODEWORD_KINDS.indexOf(kind) + 1;
}

export function encodePayload(c: CodewordContent): Buffer {
  if (!Number.isInteger(c.sequence) || c.sequence < 1 || c.sequence > MAX_SEQUENCE) throw new RangeError(`sequence must be 1..${MAX_SEQUENCE}`);
  if (!Number.isInteger(c.quantity) || c.quantity < 1 || c.quantity > MAX_QUANTITY) throw new RangeError(`quantity must be 1..${MAX_QUANTITY}`);
  const b = Buffer.alloc(PAYLOAD_BYTES);
  b.writeUInt8((VERSION << 4) | kindCode(c.kind), 0);
  Buffer.from(serialHash(c.serial), 'hex').copy(b, 1);
  b.writeUInt16BE(c.sequence, 7);
  b.writeUInt32BE(c.quantity, 9);
  b.writeUInt32BE(c.issuedAt, 13);
  return b;
}

/** The issuer's side: a signed, typeable codeword. */
export function issueCodeword(c: CodewordContent, privateKey: KeyObject): string {
  const payload = encodePayload(c);
  const signature = sign(null, Buffer.concat([DOMAIN, payload]), privateKey);
  return encodeTypeable(Buffer.concat([payload, signature]));
}

/** Decodes a typed codeword; CAP-E0800 for anything that is not one (a typo included). */
export function parseCodeword(text: string): ParsedCodeword {
  let bytes: Buffer;
  try {
    bytes = Buffer.from(decodeTypeable(text, TOTAL_BYTES));
  } catch (e) {
    if (e instanceof TypeableError) throw new CapstanError('CAP-E0800', e.message, e.group === undefined ? undefined : { group: e.group });
    throw e;
  }
  const head = bytes.readUInt8(0);
  const kind = CODEWORD_KINDS[(head & 15) - 1];
  if (head >> 4 !== VERSION || kind === undefined) throw new CapstanError('CAP-E0800', 'unknown codeword version or type');
  const payload = bytes.subarray(0, PAYLOAD_BYTES);
  const signature = bytes.subarray(PAYLOAD_BYTES);
  const sequence = payload.readUInt16BE(7);
  const quantity = payload.readUInt32BE(9);
  if (sequence < 1 || quantity < 1) throw new CapstanError('CAP-E0800', 'sequence and quantity must be positive');
  return {
    kind,
    serialHash: payload.subarray(1, 7).toString('hex'),
    sequence,
    quantity,
    issuedAt: payload.readUInt32BE(13),
    payload,
    signature,
    digest: createHash('sha256').update(bytes).digest('hex'),
  };
}

/** Whether one of the trusted issuer keys signed it. */
export function signedByAny(c: ParsedCodeword, keys: KeyObject[]): boolean {
  const data = Buffer.concat([DOMAIN, c.payload]);
  return keys.some((k) => verify(null, data, k, c.signature));
}

// ---- Issuer keys: Ed25519; the public key travels as "ed25519:" + base64url of its 32 raw
// bytes. The prefix names the algorithm and keeps the text from starting with "-", which a
// shell command line would take for an option.

const PUBLIC_KEY_PREFIX = 'ed25519:';

export function generateIssuerKey(): { privateKeyPem: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), publicKey: rawPublicKey(publicKey) };
}

export function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new CapstanError('CAP-E0812');
  return PUBLIC_KEY_PREFIX + jwk.x;
}

/** The canonical text of a public key (the prefix may be left out); CAP-E0812 when it is not one. */
export function canonicalPublicKey(text: string): string {
  const x = ISSUER_PUBLIC_KEY.exec(text.trim())?.[2];
  if (!x) throw new CapstanError('CAP-E0812', `expected ${PUBLIC_KEY_PREFIX} and 43 base64url characters`);
  return PUBLIC_KEY_PREFIX + x;
}

/** A public key from its text; CAP-E0812 when it is not a valid Ed25519 key. */
export function parsePublicKey(text: string): KeyObject {
  const x = canonicalPublicKey(text).slice(PUBLIC_KEY_PREFIX.length);
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  } catch (e) {
    throw new CapstanError('CAP-E0812', (e as Error).message);
  }
}

export function parsePrivateKey(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('the issuer key must be an Ed25519 private key');
  return key;
}

/** A short, stable id of a public key. */
export function keyId(publicKey: string): string {
  return createHash('sha256').update(publicKey).digest('hex').slice(0, 16);
}
