// Shell, replaced by its owner this session.
import type { ManagerConfig } from '../config.js';
import type { DbHandle } from '../db/index.js';
import type { TaskEngine } from '../tasks/engine.js';

export class BackupService {
  constructor(readonly dbHandle: DbHandle, readonly tasks: TaskEngine, readonly config: ManagerConfig) {}
}
