// The catalog of stable error codes. Every refusal anywhere in Capstan (manager, agent,
// engine, CLI) carries one of these codes; messages may be refined, codes never change.
// Add new codes at the end of their range; never renumber.

export interface ErrorDef {
  /** HTTP status the manager answers with. */
  status: number;
  message: string;
}

export const ERRORS = {
  // 00xx: request and input
  'CAP-E0001': { status: 400, message: 'the request is not valid' },
  'CAP-E0002': { status: 404, message: 'no such resource' },
  'CAP-E0003': { status: 409, message: 'a resource with that name already exists' },
  'CAP-E0004': { status: 409, message: 'the resource is in use' },
  'CAP-E0005': { status: 500, message: 'internal error' },
  'CAP-E0006': { status: 404, message: 'no such route' },
  'CAP-E0007': { status: 409, message: 'the address is already used on that bridge of the system' },
  // 01xx: authentication and authorisation
  'CAP-E0100': { status: 401, message: 'authentication required' },
  'CAP-E0101': { status: 401, message: 'wrong user name or password' },
  'CAP-E0102': { status: 403, message: 'your roles do not allow this' },
  'CAP-E0103': { status: 401, message: 'the session or token has expired or was revoked' },
  'CAP-E0104': { status: 400, message: 'no such role' },
  'CAP-E0105': { status: 409, message: 'the last administrator mapping cannot be removed' },
  'CAP-E0106': { status: 429, message: 'too many failed logins: try again later' },
  'CAP-E0107': { status: 403, message: 'the password must be changed first' },
  'CAP-E0108': { status: 400, message: 'the current password is not correct' },
  'CAP-E0109': { status: 403, message: 'API tokens can only be created from a login session' },
  'CAP-E0110': { status: 403, message: 'cross-site request refused: a change made with the session cookie must come from the manager\'s own origin' },
  // 02xx: WPAR definitions and states
  'CAP-E0200': { status: 409, message: 'the action is not allowed in the WPAR\'s current state' },
  'CAP-E0201': { status: 409, message: 'the property cannot be changed while the WPAR is deployed in this state' },
  'CAP-E0202': { status: 409, message: 'the WPAR is not checkpointable' },
  'CAP-E0203': { status: 409, message: 'the action does not apply to this WPAR type' },
  'CAP-E0204': { status: 409, message: 'the WPAR is busy with another operation' },
  'CAP-E0205': { status: 400, message: 'an application WPAR needs a command' },
  'CAP-E0206': { status: 409, message: 'the WPAR is deployed on another system' },
  'CAP-E0207': { status: 400, message: 'no target system given for deployment' },
  // 0208-0219: the privilege policy (src/api/privileges.ts, the agent's local policy)
  'CAP-E0208': { status: 403, message: 'a host bind mount needs the WPARAdministrator role or the relocation domain\'s allowance' },
  'CAP-E0209': { status: 403, message: 'a capability beyond the default set needs the WPARAdministrator role or the relocation domain\'s allowance' },
  'CAP-E0210': { status: 403, message: 'the host image (the host\'s / as root) needs the WPARAdministrator role' },
  'CAP-E0211': { status: 403, message: 'host networking (an application WPAR without interfaces) needs the WPARAdministrator role' },
  'CAP-E0212': { status: 409, message: 'the system cannot give the WPAR a capability it asks for' },
  'CAP-E0213': { status: 409, message: 'the WPAR was discovered with privileged fields: a WPARAdministrator must accept them before it is deployed or relocated' },
  'CAP-E0214': { status: 403, message: 'the host\'s local policy refuses the WPAR' },
  'CAP-E0215': { status: 500, message: 'the host\'s local policy file is not valid' },
  // 03xx: systems, groups, domains
  'CAP-E0300': { status: 409, message: 'the default group or domain cannot be removed' },
  'CAP-E0301': { status: 409, message: 'the group or domain still has members' },
  'CAP-E0302': { status: 409, message: 'the system is not online' },
  'CAP-E0303': { status: 400, message: 'the relocation policy is not valid' },
  // 04xx: tasks
  'CAP-E0400': { status: 409, message: 'the task has already ended' },
  'CAP-E0401': { status: 500, message: 'the task was interrupted by a manager restart' },
  'CAP-E0402': { status: 500, message: 'this manager does not know the task\'s kind' },
  'CAP-E0403': { status: 409, message: 'the task was cancelled' },
  'CAP-E0404': { status: 500, message: 'the task failed' },
  'CAP-E0405': { status: 503, message: 'the manager is shutting down and takes no new tasks' },
  // 05xx: backup
  'CAP-E0500': { status: 400, message: 'the file is not a Capstan backup' },
  'CAP-E0501': { status: 400, message: 'the backup was made for another database kind' },
  'CAP-E0502': { status: 500, message: 'the backup failed' },
  'CAP-E0503': { status: 400, message: 'the backup was made by a newer Capstan: its database schema is unknown here' },
  'CAP-E0504': { status: 500, message: 'the restore failed and left the database as it was' },
  'CAP-E0505': { status: 404, message: 'no such backup file' },
  // 06xx: agents, registration, control channel
  'CAP-E0600': { status: 401, message: 'the agent registration password is not correct' },
  'CAP-E0601': { status: 403, message: 'the agent certificate is unknown, expired or revoked' },
  'CAP-E0602': { status: 400, message: 'the certificate request is not valid' },
  'CAP-E0603': { status: 409, message: 'the agent is already configured for a manager (use --force to leave it)' },
  'CAP-E0604': { status: 409, message: 'the agent port is already in use on this system' },
  'CAP-E0605': { status: 503, message: 'the manager cannot be reached' },
  'CAP-E0606': { status: 502, message: 'the agent connection was lost before the agent answered' },
  'CAP-E0607': { status: 400, message: 'the agent is not configured (run capstan agent configure)' },
  'CAP-E0608': { status: 409, message: 'the agent is already running' },
  'CAP-E0609': { status: 409, message: 'the agent is not running' },
  'CAP-E0610': { status: 400, message: 'the lab is not valid' },
  'CAP-E0611': { status: 504, message: 'the agent did not answer in time' },
  'CAP-E0612': { status: 409, message: 'agent registration is closed until the registration password has at least 16 characters (capstan agent password --set)' },
  'CAP-E0613': { status: 409, message: 'a registered agent already has this name: the registration waits for an administrator (capstan agent approve NAME)' },
  'CAP-E0614': { status: 403, message: 'an administrator refused this registration' },
  'CAP-E0615': { status: 404, message: 'no registration request waits under this name' },
  'CAP-E0616': { status: 429, message: 'too many failed registrations from this address: try again later' },
  'CAP-E0617': { status: 429, message: 'too many registration requests wait for an administrator: try again later' },
  // 08xx: instant capacity
  'CAP-E0800': { status: 400, message: 'the codeword is malformed or mistyped' },
  'CAP-E0801': { status: 400, message: 'the codeword\'s signature is not from a trusted issuer' },
  'CAP-E0802': { status: 409, message: 'the codeword was issued for another complex' },
  'CAP-E0803': { status: 409, message: 'the codeword is out of order: apply the earlier codewords first' },
  'CAP-E0804': { status: 409, message: 'the codeword has already been applied' },
  'CAP-E0805': { status: 409, message: 'activation exceeds the usage rights (cores beyond them need 30 minutes of temporary capacity each)' },
  'CAP-E0806': { status: 409, message: 'not enough inactive components to activate' },
  'CAP-E0807': { status: 409, message: 'not that many active components to deactivate' },
  'CAP-E0808': { status: 409, message: 'the system is not part of an instant capacity complex' },
  'CAP-E0809': { status: 409, message: 'the systems are not in the same complex' },
  'CAP-E0810': { status: 409, message: 'the system already belongs to a complex' },
  'CAP-E0811': { status: 409, message: 'the system lacks the active capacity the WPAR needs' },
  'CAP-E0812': { status: 400, message: 'the issuer key is not a valid Ed25519 public key' },
  'CAP-E0813': { status: 409, message: 'this component type is not governed on the complex' },
  'CAP-E0814': { status: 409, message: 'a cell activates only with usage rights for all of its memory and at least one core' },
  // 09xx: mobility (compatibility, relocation targets)
  'CAP-E0900': { status: 400, message: 'the relocation policy names an unknown relocation domain' },
  'CAP-E0901': { status: 409, message: 'the system is not offered for relocation until its compatibility testing is done' },
  'CAP-E0902': { status: 409, message: 'the WPAR is not deployed on a system: there is nothing to relocate' },
  'CAP-E0903': { status: 409, message: 'the WPAR is already on that system' },
  'CAP-E0904': { status: 409, message: 'the system takes no WPARs by relocation (it is being evacuated)' },
  // 092x: relocation (the move itself)
  'CAP-E0920': { status: 502, message: 'the transfer between the two systems\' agents failed' },
  'CAP-E0921': { status: 409, message: 'the other agent refused the relocation' },
  'CAP-E0922': { status: 500, message: 'the WPAR could not be resumed on the arrival system; it runs on at the departure system' },
  'CAP-E0923': { status: 500, message: 'the departure system was lost while memory pages were still owed: the WPAR is Broken' },
  'CAP-E0924': { status: 409, message: 'a relocation of this WPAR is already under way' },
  'CAP-E0925': { status: 409, message: 'the arrival system is not fully compatible: confirm the relocation to go ahead' },
  'CAP-E0926': { status: 409, message: 'no system is eligible for automatic relocation (fully compatible, online, in the group\'s domain, with room)' },
  'CAP-E0927': { status: 409, message: 'the evacuation left WPARs on the system' },
  'CAP-E0928': { status: 403, message: 'your roles do not allow cancelling this kind of task (only who may start it may cancel it)' },
  'CAP-E0929': { status: 409, message: 'the system is being evacuated: it takes no WPARs' },
  // 093x: the balancer (policy-based relocation)
  'CAP-E0930': { status: 400, message: 'the relocation policy names an unknown WPAR' },
  'CAP-E0931': { status: 409, message: 'the recommendation is no longer open (applied, dismissed or superseded)' },
  // 1xxx: engine (local partition engine)
  'CAP-E1000': { status: 404, message: 'unknown WPAR name' },
  'CAP-E1001': { status: 409, message: 'the WPAR is busy in a checkpoint or restart operation' },
  'CAP-E1002': { status: 409, message: 'the WPAR is not checkpointable' },
  'CAP-E1003': { status: 400, message: 'the state directory path is not valid' },
  'CAP-E1004': { status: 400, message: 'the state directory is not empty' },
  'CAP-E1005': { status: 400, message: 'the state file is corrupt or incomplete' },
  'CAP-E1006': { status: 409, message: 'the WPAR is not in a state that allows this' },
  'CAP-E1007': { status: 400, message: 'no such base image' },
  'CAP-E1008': { status: 500, message: 'the container runtime failed' },
  'CAP-E1009': { status: 500, message: 'CRIU failed' },
  'CAP-E1010': { status: 409, message: 'a WPAR with that name already exists on this host' },
  'CAP-E1011': { status: 400, message: 'the log file path is not valid' },
  'CAP-E1012': { status: 400, message: 'the user command must exit with a status above 100' },
  'CAP-E1013': { status: 500, message: 'the engine prerequisites are missing (runc, CRIU >= 4.2)' },
  'CAP-E1014': { status: 409, message: 'the application in the WPAR exited before the operation could begin' },
  'CAP-E1015': { status: 400, message: 'a file the restart needs is missing from the state directory' },
  'CAP-E1016': { status: 400, message: 'the neighbour entries in the relocation manifest are not valid' },
  // 102x: the local commands' own files
  'CAP-E1020': { status: 400, message: 'the specification file cannot be read or does not describe a system WPAR' },
  'CAP-E1021': { status: 400, message: 'the specification file cannot be written (it exists already, or its directory does not)' },
  'CAP-E1022': { status: 409, message: 'the WPAR has open sessions (clogin, capstan wpar console) whose processes cannot be checkpointed: end them, or force the operation to end them' },
  'CAP-E1023': { status: 502, message: 'the session could not be opened on the WPAR\'s host' },
  'CAP-E1024': { status: 426, message: 'this is a WebSocket endpoint: connect with an upgrade (capstan wpar console)' },
  // 103x: operating the manager (its service, its log levels, scheduled backups)
  'CAP-E1030': { status: 400, message: 'no such log level' },
  'CAP-E1031': { status: 400, message: 'no such log component' },
  'CAP-E1032': { status: 400, message: 'the daily backup time is not valid (HH:MM, 00:00 to 23:59, local time)' },
  'CAP-E1033': { status: 409, message: 'the manager is already running with this data directory' },
  'CAP-E1034': { status: 409, message: 'the manager is not running with this data directory' },
  'CAP-E1035': { status: 500, message: 'the manager did not start' },
  'CAP-E1036': { status: 500, message: 'systemd refused the request' },
  'CAP-E1037': { status: 409, message: 'systemd does not run on this host (the service units need it; start and stop work without them)' },
  // 105x: removing managed systems
  'CAP-E1050': { status: 409, message: 'the system or its WPARs have tasks running (an action, a relocation to or from it, an evacuation, a removal): wait for them to end' },
  'CAP-E1051': { status: 409, message: 'a WPAR on the system could not be removed: the system stays (the WPARs removed before it stay removed)' },
  // 104x: the instant capacity activation log
  'CAP-E1040': { status: 400, message: 'the time range is empty: since must be before until' },
} as const satisfies Record<string, ErrorDef>;

export type ErrorCode = keyof typeof ERRORS;

/** An error with a stable code; thrown by services, rendered by the HTTP layer and the CLI. */
export class CapstanError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: unknown;

  constructor(code: ErrorCode, detail?: string, details?: unknown) {
    const def: ErrorDef = ERRORS[code];
    super(detail ? `${def.message}: ${detail}` : def.message);
    this.name = 'CapstanError';
    this.code = code;
    this.status = def.status;
    this.details = details;
  }
}

/** The JSON body of every error response. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

export function isCapstanError(e: unknown): e is CapstanError {
  return e instanceof CapstanError;
}
