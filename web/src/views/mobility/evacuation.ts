// Evacuating a system (every WPAR off it, then no placement on it until restored) and what it
// did for each WPAR. The task's result says it when every WPAR moved; an evacuation that left
// some fails (CAP-E0927) without a result, so each WPAR's operation is read instead: it ends
// with "<wpar> runs on <system>" or "<wpar> stays on <this system>: <reason>". Read as they
// come, these also show the WPARs handled so far while the task runs.
import { outputLines, type TaskView } from '../../../../src/api/tasks.js';
import { routes } from '../../../../src/api/routes/index.js';
import { call, describeError } from '../../api/client.js';
import { announce } from '../../lib/announce.js';
import { announceChange } from '../../lib/changes.js';

export interface EvacuationOutcome {
  moved: { wpar: string; to: string }[];
  left: { wpar: string; reason: string }[];
}

export function evacuationOutcome(task: TaskView): EvacuationOutcome {
  const r = task.result as Partial<EvacuationOutcome> | null;
  if (r && Array.isArray(r.moved) && Array.isArray(r.left)) return { moved: r.moved, left: r.left };
  const out: EvacuationOutcome = { moved: [], left: [] };
  const system = task.target?.name ?? '';
  for (const op of task.operations) {
    const wpar = /^relocate (.+)$/.exec(op.name)?.[1];
    if (!wpar) continue;
    for (const line of outputLines(op.output)) {
      const moved = `${wpar} runs on `;
      const left = `${wpar} stays on ${system}: `;
      if (line.startsWith(moved)) out.moved.push({ wpar, to: line.slice(moved.length) });
      else if (line.startsWith(left)) out.left.push({ wpar, reason: line.slice(left.length) });
    }
  }
  return out;
}

export async function evacuate(system: { id: string }): Promise<TaskView> {
  return call(routes.systems.evacuate, { params: { id: system.id } });
}

/** Lets placement choose the system again; the refusal as text, announced. */
export async function restore(system: { id: string; name: string }): Promise<string | undefined> {
  try {
    await call(routes.systems.restore, { params: { id: system.id } });
    announce(`${system.name} takes WPARs again.`);
    announceChange();
    return undefined;
  } catch (e) {
    const message = `Restore refused for ${system.name}: ${describeError(e)}`;
    announce(message);
    return message;
  }
}
