// The seed-compatible local commands, by name; `capstan <command> …` and run.ts dispatch here.
import { chkptwpar } from './chkptwpar.js';
import { chwpar } from './chwpar.js';
import { clogin } from './clogin.js';
import type { LocalCommand } from './command.js';
import { rmwpar, startwpar, stopwpar } from './lifecycle.js';
import { lswpar } from './lswpar.js';
import { mkwpar } from './mkwpar.js';
import { restartwpar } from './restartwpar.js';
import { killwpar, resumewpar } from './resume-kill.js';
import { wparexec } from './wparexec.js';

export const localCommands: Record<string, LocalCommand> = {
  mkwpar,
  chwpar,
  wparexec,
  startwpar,
  stopwpar,
  rmwpar,
  lswpar,
  chkptwpar,
  restartwpar,
  resumewpar,
  killwpar,
  clogin,
};
