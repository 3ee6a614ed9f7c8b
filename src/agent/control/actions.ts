// What the agent does when the manager asks for a WPAR action: the engine call the seed's
// action means, and the WPAR's state on this host afterwards.
import type { ActionRequest } from '../../api/agents.js';
import type { WparState } from '../../api/wpar-states.js';
import type { Engine } from '../engine/index.js';

export interface ActionOutcome {
  state: WparState;
  output: string[];
}

export async function performAction(engine: Engine, req: ActionRequest): Promise<ActionOutcome> {
  const name = req.spec.name;
  const output: string[] = [];
  switch (req.action) {
    case 'deploy':
      await engine.create(req.spec, { start: req.start ?? false });
      output.push(`created ${name}${req.start || req.spec.type === 'application' ? ' and started it' : ''}`);
      break;
    case 'start':
      await engine.start(name);
      output.push(`started ${name}`);
      break;
    case 'stop':
      await engine.stop(name);
      output.push(`stopped ${name}`);
      break;
    case 'pause': {
      // The seed's pause: checkpointed, its processes left stopped, resumable at once. The
      // engine keeps that checkpoint with the WPAR and drops it on resume: nothing piles up.
      await engine.checkpoint(name, { mode: 'pause' });
      output.push(`paused ${name}`);
      break;
    }
    case 'freeze':
      await engine.freeze(name);
      output.push(`froze ${name}`);
      break;
    case 'resume':
      await engine.resume(name);
      output.push(`resumed ${name}`);
      break;
    case 'endProcesses':
      await engine.kill(name);
      output.push(`ended the processes of ${name}`);
      break;
    case 'remove':
      await engine.remove(name, { preserveFs: req.preserveFileSystems ?? false });
      output.push(`removed ${name}${req.preserveFileSystems ? ' (file systems preserved)' : ''}`);
      break;
    case 'modify':
      await engine.modify(name, req.spec);
      output.push(`modified ${name}${req.changed?.length ? `: ${req.changed.join(', ')}` : ''}`);
      break;
  }
  const info = await engine.get(name);
  return { state: info?.state ?? 'Undeployed', output };
}
