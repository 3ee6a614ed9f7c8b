// How a thrown error is recorded on a task or operation: a CapstanError keeps its stable
// code; anything else is "the task failed" with the error's message.
import { CapstanError, ERRORS } from '../../api/errors.js';
import type { TaskError } from '../../api/tasks.js';

export function taskErrorOf(e: unknown): TaskError {
  if (e instanceof CapstanError) return { code: e.code, message: e.message };
  const detail = e instanceof Error ? e.message : String(e);
  return { code: 'CAP-E0404', message: detail ? `${ERRORS['CAP-E0404'].message}: ${detail}` : ERRORS['CAP-E0404'].message };
}
