// Codewords without I/O: the typeable encoding and its check characters, signatures, and
// every way a typed codeword is refused (malformed or mistyped vs. bad signature).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CapstanError } from '../../../src/api/errors.js';
import {
  encodePayload,
  generateIssuerKey,
  issueCodeword,
  parseCodeword,
  parsePrivateKey,
  canonicalPublicKey,
  parsePublicKey,
  rawPublicKey,
  serialHash,
  signedByAny,
  type CodewordContent,
} from '../../../src/manager/capacity/codeword.js';
import { decodeTypeable, encodeTypeable, TypeableError } from '../../../src/manager/capacity/typeable.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const issuer = generateIssuerKey();
const key = parsePrivateKey(issuer.privateKeyPem);
const content: CodewordContent = { kind: 'cores', serial: 'SN-0001', sequence: 3, quantity: 2, issuedAt: 1_700_000_000 };

function refusedWith(code: string, fn: () => unknown): CapstanError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CapstanError, String(e));
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected ${code}`);
}

describe('typeable encoding', () => {
  it('round-trips any bytes, in dash-separated groups of five characters and a check character', () => {
    for (let n = 1; n <= 90; n++) {
      const bytes = randomBytes(n);
      const text = encodeTypeable(bytes);
      assert.match(text, /^([0-9A-HJKMNP-TV-Z]{6}-)*[0-9A-HJKMNP-TV-Z]{2,6}$/);
      assert.deepEqual(Buffer.from(decodeTypeable(text, n)), bytes);
    }
  });

  it('reads lower case, spaces and the letters people confuse with digits (O as 0, I and L as 1)', () => {
    const bytes = Buffer.from('00ff10a5c3', 'hex');
    const text = encodeTypeable(bytes);
    const sloppy = ` ${text.toLowerCase().replace(/0/g, 'o').replace(/1/g, 'l')} `.replace(/-/g, ' - ');
    assert.deepEqual(Buffer.from(decodeTypeable(sloppy, bytes.length)), bytes);
  });

  it('catches every single mistyped character and names its group', () => {
    const bytes = randomBytes(40);
    const text = encodeTypeable(bytes);
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '-') continue;
      for (const ch of ALPHABET) {
        if (ch === text[i]) continue;
        const typo = text.slice(0, i) + ch + text.slice(i + 1);
        assert.throws(() => decodeTypeable(typo, bytes.length), (e: unknown) => e instanceof TypeableError && e.group === text.slice(0, i).split('-').length);
      }
    }
  });

  it('catches every swap of two neighbouring characters', () => {
    const bytes = randomBytes(40);
    const text = encodeTypeable(bytes);
    for (let i = 0; i + 1 < text.length; i++) {
      const [a, b] = [text[i], text[i + 1]];
      if (a === '-' || b === '-' || a === b) continue;
      const swapped = text.slice(0, i) + b + a + text.slice(i + 2);
      assert.throws(() => decodeTypeable(swapped, bytes.length), TypeableError);
    }
  });

  it('refuses missing or extra groups and characters outside the alphabet', () => {
    const text = encodeTypeable(randomBytes(20));
    const groups = text.split('-');
    assert.throws(() => decodeTypeable(groups.slice(1).join('-'), 20), TypeableError);
    assert.throws(() => decodeTypeable(`${text}-${groups[0]}`, 20), TypeableError);
    assert.throws(() => decodeTypeable(text.replace(/^./, 'U'), 20), /not in the alphabet/);
  });
});

describe('codewords', () => {
  it('issues and reads back every kind, verified by the issuer\'s public key', () => {
    for (const kind of ['cores', 'memory', 'cell', 'temporary'] as const) {
      const text = issueCodeword({ ...content, kind, quantity: 86_400 }, key);
      const cw = parseCodeword(text);
      assert.deepEqual([cw.kind, cw.sequence, cw.quantity, cw.issuedAt, cw.serialHash], [kind, 3, 86_400, content.issuedAt, serialHash('SN-0001')]);
      assert.equal(signedByAny(cw, [parsePublicKey(issuer.publicKey)]), true);
    }
  });

  it('the same codeword has the same digest; another one another digest', () => {
    const a = parseCodeword(issueCodeword(content, key));
    assert.equal(parseCodeword(issueCodeword(content, key)).digest, a.digest, 'Ed25519 is deterministic');
    assert.notEqual(parseCodeword(issueCodeword({ ...content, sequence: 4 }, key)).digest, a.digest);
  });

  it('a typo is malformed (CAP-E0800) with its group, never a bad signature', () => {
    const text = issueCodeword(content, key);
    const i = 8;
    const typo = text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
    const e = refusedWith('CAP-E0800', () => parseCodeword(typo));
    assert.deepEqual(e.details, { group: 2 });
  });

  it('a codeword from another issuer, or with its content changed and re-encoded, fails the signature check', () => {
    const other = parsePublicKey(generateIssuerKey().publicKey);
    assert.equal(signedByAny(parseCodeword(issueCodeword(content, key)), [other]), false);

    // A forger who knows the encoding: more cores, valid check characters, the old signature.
    const genuine = parseCodeword(issueCodeword(content, key));
    const forged = encodeTypeable(Buffer.concat([encodePayload({ ...content, quantity: 64 }), genuine.signature]));
    const cw = parseCodeword(forged);
    assert.equal(cw.quantity, 64);
    assert.equal(signedByAny(cw, [parsePublicKey(issuer.publicKey)]), false);
  });

  it('refuses what is not a codeword: truncated, unknown version, zero sequence', () => {
    const text = issueCodeword(content, key);
    refusedWith('CAP-E0800', () => parseCodeword(text.split('-').slice(0, -1).join('-')));
    refusedWith('CAP-E0800', () => parseCodeword(''));
    const bytes = Buffer.from(decodeTypeable(text, 81));
    bytes[0] = 0x21;
    refusedWith('CAP-E0800', () => parseCodeword(encodeTypeable(bytes)));
    bytes[0] = 0x11;
    bytes.writeUInt16BE(0, 7);
    refusedWith('CAP-E0800', () => parseCodeword(encodeTypeable(bytes)));
  });

  it('refuses public keys that are not Ed25519 keys', () => {
    refusedWith('CAP-E0812', () => parsePublicKey('not a key'));
    refusedWith('CAP-E0812', () => parsePublicKey('A'.repeat(42)));
    refusedWith('CAP-E0812', () => parsePublicKey(`rsa:${'A'.repeat(43)}`));
  });

  it('writes public keys with an algorithm prefix, so none starts with "-" on a command line', () => {
    for (let i = 0; i < 64; i++) assert.match(generateIssuerKey().publicKey, /^ed25519:[A-Za-z0-9_-]{43}$/);
    // The bare base64url form (which may start with "-") is still read, and made canonical.
    const bare = generateIssuerKey().publicKey.slice('ed25519:'.length);
    assert.equal(canonicalPublicKey(` ${bare}\n`), `ed25519:${bare}`);
    assert.equal(rawPublicKey(parsePublicKey(bare)), `ed25519:${bare}`);
  });

  it('issuing checks its ranges', () => {
    assert.throws(() => issueCodeword({ ...content, sequence: 0 }, key), RangeError);
    assert.throws(() => issueCodeword({ ...content, sequence: 70_000 }, key), RangeError);
    assert.throws(() => issueCodeword({ ...content, quantity: 0 }, key), RangeError);
  });
});
