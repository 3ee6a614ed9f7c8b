// How every `capstan` command prints: plain aligned tables for people (no borders, so
// `awk` and `cut` still work on them), JSON for machines, messages on stderr.

export type Cell = string | number | boolean | null | undefined;

function text(c: Cell): string {
  if (c === null || c === undefined || c === '') return '-';
  if (typeof c === 'boolean') return c ? 'yes' : 'no';
  return String(c);
}

/** A table with a header line and a rule under it; an empty body prints the header only. */
export function formatTable(header: string[], body: Cell[][]): string {
  const rows = body.map((r) => r.map(text));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
}

/** Key/value lines for one resource. */
export function formatFields(fields: [string, Cell][]): string {
  const width = Math.max(...fields.map(([k]) => k.length));
  return fields.map(([k, v]) => `${k.padEnd(width)}  ${text(v)}`).join('\n') + '\n';
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

export function print(textOut: string): void {
  process.stdout.write(textOut);
}

/** A message for the person at the terminal: stderr, so stdout stays parseable. */
export function note(message: string): void {
  process.stderr.write(message + '\n');
}

/** A timestamp in the local time zone, to the second. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
