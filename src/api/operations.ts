// Operating the manager itself: its log levels, changed while it runs (the seed's lwilog), and
// its scheduled backups with their retention. Shared by the manager and the CLI.
import { Type, type Static, type TSchema } from 'typebox';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** pino's levels, most severe first. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The manager's components: each logs with its name in the `component` field, and each can be
 * given its own level (the seed's `lwilog -addLogger -name NAME`: a trace logger for it).
 * `agent` is the local agent of `capstan up`, in the manager's process.
 */
export const LOG_COMPONENTS = ['http', 'tasks', 'agents', 'capacity', 'notify', 'compatibility', 'relocation', 'balancer', 'backup', 'agent'] as const;
export type LogComponent = (typeof LOG_COMPONENTS)[number];

export const LogLevelsView = Type.Object({
  /** The level every component logs at unless it has its own. */
  level: Type.String(),
  /** The level the manager was started with (--log-level, manager.json or info). */
  configuredLevel: Type.String(),
  /** Whether `level` was set while the manager ran (kept in the database: it survives a restart). */
  setAtRunTime: Type.Boolean(),
  /** Components with a level of their own. */
  components: Type.Array(Type.Object({ name: Type.String(), level: Type.String() })),
  knownComponents: Type.Array(Type.String()),
  levels: Type.Array(Type.String()),
});
export type LogLevelsView = Static<typeof LogLevelsView>;

/** A level by name; an unknown one is refused with CAP-E1030 (not by the schema, so the answer lists the levels). */
export const SetLogLevelRequest = Type.Object({ level: Type.String({ minLength: 1, maxLength: 16 }) }, { additionalProperties: false });
export type SetLogLevelRequest = Static<typeof SetLogLevelRequest>;

export const LogComponentParams = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });

/** "HH:MM", 00:00 to 23:59, the manager's local time. */
export const DAILY_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
export const MAX_KEEP = 1000;

export const BackupScheduleRequest = Type.Object(
  {
    /** Local time of the daily backup, "HH:MM"; anything else is refused with CAP-E1032. */
    daily: Type.String({ minLength: 1, maxLength: 16 }),
    /** How many backups to keep in the backups directory; older ones are deleted after each scheduled backup. */
    keep: Type.Integer({ minimum: 1, maximum: MAX_KEEP }),
  },
  { additionalProperties: false },
);
export type BackupScheduleRequest = Static<typeof BackupScheduleRequest>;

export const BackupScheduleView = Type.Object({
  schedule: Nullable(Type.Object({
    daily: Type.String(),
    keep: Type.Integer(),
    setAt: Type.String(),
    setBy: Nullable(Type.String()),
  })),
  /** When the next scheduled backup runs (null: no schedule). */
  nextRunAt: Nullable(Type.String()),
  /** The last scheduled backup: when it was due, its task, and what retention removed. */
  lastRun: Nullable(Type.Object({
    scheduledFor: Type.String(),
    startedAt: Type.String(),
    /** Why it ran: at its time, or at the manager's start because its time passed while the manager was down. */
    reason: Type.Enum(['scheduled', 'missed']),
    taskId: Nullable(Type.String()),
    status: Type.Enum(['running', 'succeeded', 'failed']),
    backup: Nullable(Type.String()),
    deleted: Type.Array(Type.String()),
    error: Nullable(Type.String()),
  })),
});
export type BackupScheduleView = Static<typeof BackupScheduleView>;
export type ScheduledRun = NonNullable<BackupScheduleView['lastRun']>;
