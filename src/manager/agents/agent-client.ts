// The manager's one way to ask a system's agent anything (a WPAR action, discovery, a step of
// a relocation): every request has a deadline for its kind and honours the asking task's
// cancellation, and an agent's refusal becomes a CapstanError in one way, keeping the
// agent's own code.
import { CapstanError, ERRORS, type ErrorCode } from '../../api/errors.js';
import type { AgentHub, AgentRequest, AgentResult } from './hub.js';

const MINUTE = 60_000;

interface RequestKind {
  /** How long the agent may take to answer. */
  deadlineMs: number;
  /** The code of a refusal whose code this manager does not know. */
  failure: ErrorCode;
}

const KINDS: Record<AgentRequest['type'], RequestKind> = {
  // A deploy may first fetch its image.
  action: { deadlineMs: 10 * MINUTE, failure: 'CAP-E1008' },
  discover: { deadlineMs: MINUTE, failure: 'CAP-E0606' },
  updateProfile: { deadlineMs: MINUTE, failure: 'CAP-E0606' },
  // The arrival may first fetch the WPAR's image.
  arrive: { deadlineMs: 10 * MINUTE, failure: 'CAP-E0920' },
  // The whole move: a large stop-and-copy takes a while.
  depart: { deadlineMs: 30 * MINUTE, failure: 'CAP-E0920' },
  // The agent first lets its own part of the move end, but one that never answers must not
  // hold the WPAR for ever.
  settle: { deadlineMs: 5 * MINUTE, failure: 'CAP-E0920' },
  // Answered once the session runs and its streams are dialled back.
  console: { deadlineMs: MINUTE / 2, failure: 'CAP-E1023' },
};

export interface AskOptions {
  /** The asking task's signal: its cancellation ends the wait (CAP-E0403, or the abort's own CapstanError). */
  signal?: AbortSignal;
  /** Where what the agent printed goes when it refuses (the answer carries it when it succeeds). */
  log?: (line: string) => void;
}

export class AgentClient {
  constructor(private readonly hub: AgentHub) {}

  /** Whether the system's agent is connected and answers. */
  connected(systemId: string): boolean {
    return this.hub.connected(systemId);
  }

  /**
   * The agent's answer when it succeeded. Fails with its refusal (agentError), CAP-E0611 past
   * the kind's deadline, CAP-E0302 when it is not connected, CAP-E0606 when the connection
   * is lost first.
   */
  async ask(systemId: string, body: AgentRequest, opts: AskOptions = {}): Promise<AgentResult> {
    const kind = KINDS[body.type];
    const r = await this.hub.request(systemId, body, kind.deadlineMs, opts.signal);
    if (!r.ok) {
      if (opts.log) for (const line of r.output) opts.log(line);
      throw agentError(r.error, kind.failure);
    }
    return r;
  }
}

/** An agent's refusal as a CapstanError: the agent's code and message when the code is known here, else `failure`. */
export function agentError(error: { code: string; message: string } | undefined, failure: ErrorCode): CapstanError {
  if (!error) return new CapstanError(failure, 'the agent gave no reason');
  if (!(error.code in ERRORS)) return new CapstanError(failure, error.message);
  // The agent's message already starts with its code's message.
  return Object.assign(new CapstanError(error.code as ErrorCode), { message: error.message });
}
