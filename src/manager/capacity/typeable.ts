// Bytes as text people can type: Crockford base32 (no I, L, O, U; case-insensitive; I and L
// read as 1, O as 0), in dash-separated groups of five characters, each followed by a check
// character. The check is Damm's algorithm over the quasigroup x∘y = 2x + y in GF(32): it
// catches every single mistyped character and every swap of two neighbours, and names the
// group it is in, so a typo is told apart from a forged or damaged codeword.

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const GROUP = 5;
/** x^5 + x^2 + 1: the field GF(32). */
const POLY = 0b100101;

/** A text that is not a well-formed grouped string; `group` (1-based) when a check character failed. */
export class TypeableError extends Error {
  constructor(message: string, readonly group?: number) {
    super(message);
  }
}

function times2(x: number): number {
  const y = x << 1;
  return y & 32 ? y ^ POLY : y;
}

/** The Damm interim digit after these symbols; a group is valid when it ends at 0. */
function damm(symbols: number[]): number {
  let interim = 0;
  for (const s of symbols) interim = times2(interim) ^ s;
  return interim;
}

function toSymbols(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out.push((acc >> (bits - 5)) & 31);
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out.push((acc << (5 - bits)) & 31);
  return out;
}

function fromSymbols(symbols: number[], byteLength: number): Uint8Array {
  const out = new Uint8Array(byteLength);
  let acc = 0;
  let bits = 0;
  let i = 0;
  for (const s of symbols) {
    acc = (acc << 5) | s;
    bits += 5;
    if (bits >= 8) {
      if (i < byteLength) out[i++] = (acc >> (bits - 8)) & 255;
      bits -= 8;
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

/** Symbols needed for `byteLength` bytes. */
export function symbolCount(byteLength: number): number {
  return Math.ceil((byteLength * 8) / 5);
}

/** Encodes bytes as checked groups: `XXXXXc-XXXXXc-…` (the last group may be shorter). */
export function encodeTypeable(bytes: Uint8Array): string {
  const symbols = toSymbols(bytes);
  const groups: string[] = [];
  for (let i = 0; i < symbols.length; i += GROUP) {
    const g = symbols.slice(i, i + GROUP);
    groups.push([...g, times2(damm(g))].map((s) => ALPHABET[s]).join(''));
  }
  return groups.join('-');
}

function symbolOf(ch: string): number | undefined {
  const c = ch.toUpperCase();
  const mapped = c === 'O' ? '0' : c === 'I' || c === 'L' ? '1' : c;
  const i = ALPHABET.indexOf(mapped);
  return i < 0 ? undefined : i;
}

/** Decodes what encodeTypeable made; spaces and line breaks are ignored, dashes separate groups. */
export function decodeTypeable(text: string, byteLength: number): Uint8Array {
  const groups = text.replace(/\s+/g, '').split('-').filter((g) => g.length > 0);
  const expected = symbolCount(byteLength);
  const symbols: number[] = [];
  groups.forEach((g, index) => {
    const values = [...g].map((ch) => {
      const v = symbolOf(ch);
      if (v === undefined) throw new TypeableError(`group ${index + 1} has a character that is not in the alphabet: ${ch}`, index + 1);
      return v;
    });
    if (values.length < 2 || values.length > GROUP + 1) throw new TypeableError(`group ${index + 1} has ${values.length} characters`, index + 1);
    if (damm(values) !== 0) throw new TypeableError(`group ${index + 1} (${g}) looks mistyped`, index + 1);
    symbols.push(...values.slice(0, -1));
  });
  if (symbols.length !== expected) throw new TypeableError(`${symbols.length} characters of content where ${expected} were expected`);
  // The padding bits after the last byte are zero in every encoding this module makes.
  const bytes = fromSymbols(symbols, byteLength);
  if (encodeTypeable(bytes).replace(/-/g, '') !== groups.join('').toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1')) {
    throw new TypeableError('the text does not encode whole bytes');
  }
  return bytes;
}
