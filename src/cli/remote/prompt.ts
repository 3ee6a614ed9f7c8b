// Asking the person at the terminal, or reading answers from standard input in scripts.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { UsageError } from '../local/command.js';

/** Asks on the terminal; `hidden` echoes nothing (passwords). */
export function ask(question: string, hidden = false): Promise<string> {
  if (!process.stdin.isTTY) throw new UsageError(`${question.trim()} — no terminal to ask on (use --password-stdin)`);
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, cb) {
      if (!muted) process.stderr.write(chunk);
      cb();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      if (hidden) process.stderr.write('\n');
      resolve(answer);
    });
    muted = hidden;
  });
}

let stdinLines: Promise<string[]> | undefined;

/** The next line of standard input (each call takes one more line). */
export async function stdinLine(what: string): Promise<string> {
  stdinLines ??= (async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
  })();
  const lines = await stdinLines;
  const line = lines.shift();
  if (line === undefined || line === '') throw new UsageError(`standard input has no line for ${what}`);
  return line;
}

export async function confirm(question: string): Promise<boolean> {
  return /^y(es)?$/i.test((await ask(`${question} [y/N] `)).trim());
}
