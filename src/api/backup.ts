// Backups of the manager's database: made online by a task, listed from the manager's
// backups directory, restored offline with `capstan` while the manager is stopped.
import { Type, type Static } from 'typebox';

export const DbKind = Type.Enum(['sqlite', 'postgres']);

export const BackupFile = Type.Object({
  /** The file name in the manager's backups directory. */
  name: Type.String(),
  dbKind: DbKind,
  sizeBytes: Type.Integer({ minimum: 0 }),
  createdAt: Type.String(),
});
export type BackupFile = Static<typeof BackupFile>;

export const BackupList = Type.Object({ items: Type.Array(BackupFile) });
export type BackupList = Static<typeof BackupList>;

/** The result of a db.backup task. */
export const BackupResult = Type.Object({
  name: Type.String(),
  path: Type.String(),
  dbKind: DbKind,
  sizeBytes: Type.Integer({ minimum: 0 }),
  /** The latest database migration the backup contains. */
  schemaVersion: Type.String(),
});
export type BackupResult = Static<typeof BackupResult>;
