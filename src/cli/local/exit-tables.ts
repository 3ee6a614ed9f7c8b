// The exit-code tables of the seed's checkpoint/restart commands, for the conditions Linux
// gives a meaning to. Codes the seed ties to AIX internals (MCR kernel extension version,
// DR subsystem, NFS) never occur.
import type { ExitTable } from './command.js';

const COMMON = {
  'CAP-E0001': 1, // invalid arguments
  'CAP-E1000': 16, // unknown WPAR name
  'CAP-E1001': 17, // busy in a checkpoint or restart operation
} as const;

export const CHKPTWPAR_EXIT: ExitTable = {
  codes: {
    ...COMMON,
    'CAP-E1006': 17, // not in a state that can be checkpointed (the seed folds it into "busy")
    'CAP-E1014': 18, // the application exited before the checkpoint could begin
    'CAP-E1002': 19, // not configured to be checkpointed
    'CAP-E1003': 21, // invalid state file path
    'CAP-E1004': 23, // the state directory is not empty
    'CAP-E1011': 26, // invalid log file path
    'CAP-E1009': 7, // CRIU could not dump a resource of the WPAR
    'CAP-E1022': 7, // a clogin session's processes cannot be dumped
  },
  internal: 4,
  notRoot: 8,
};

export const RESTARTWPAR_EXIT: ExitTable = {
  codes: {
    ...COMMON,
    'CAP-E1012': 13, // the user command failed or returned <= 100
    'CAP-E1015': 14, // a file the restart needs is missing
    'CAP-E1002': 19, // the WPAR is not configured to be checkpointed
    'CAP-E1003': 21, // invalid state file path
    'CAP-E1005': 25, // corrupt or incomplete state file
    'CAP-E1011': 26, // invalid log file path
  },
  internal: 4,
  notRoot: 8,
};

export const RESUMEWPAR_EXIT: ExitTable = {
  codes: { ...COMMON, 'CAP-E1006': 17 /* neither paused nor frozen */ },
  internal: 4,
  notRoot: 8,
};

export const KILLWPAR_EXIT: ExitTable = {
  codes: { ...COMMON, 'CAP-E1006': 17 /* not paused (a frozen WPAR is not paused either) */ },
  internal: 4,
  notRoot: 8,
};

/** clogin exits with its command's status; its own failures above the shell's range. */
export const CLOGIN_EXIT: ExitTable = {
  codes: { ...COMMON, 'CAP-E1006': 17 /* not running */ },
  internal: 255,
  notRoot: 8,
};
