// Who may cancel a task: whoever may start its kind. A WPARUser cancels WPAR tasks only.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rolesAllow } from '../../../src/api/roles.js';
import { AGENT_REPORT_TASK, BACKUP_TASK, DEFINITION_TASK, EVACUATE_TASK, RELOCATE_TASK, SYSTEM_ACTION_TASK, SYSTEM_REMOVE_TASK, TASK_CANCEL_PERMISSION, type TaskKindName } from '../../../src/api/task-kinds.js';

describe('task cancel permission', () => {
  const userMay = (kind: TaskKindName) => rolesAllow(TASK_CANCEL_PERMISSION[kind], ['WPARUser']);

  it('lets a WPARUser cancel every WPAR task', () => {
    for (const kind of [...Object.values(DEFINITION_TASK), ...Object.values(SYSTEM_ACTION_TASK), RELOCATE_TASK] as TaskKindName[]) assert.ok(userMay(kind), kind);
  });

  it('keeps evacuations, backups, discoveries and profile updates to the WPARAdministrator', () => {
    for (const kind of [EVACUATE_TASK, SYSTEM_REMOVE_TASK, BACKUP_TASK, AGENT_REPORT_TASK.discover, AGENT_REPORT_TASK.updateProfile] as TaskKindName[]) {
      assert.equal(userMay(kind), false, kind);
      assert.ok(rolesAllow(TASK_CANCEL_PERMISSION[kind], ['WPARAdministrator']), kind);
    }
  });
});
