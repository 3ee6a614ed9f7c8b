// The manager's log levels while it runs: one level for the whole manager, and a level of its
// own for any component (the seed's `lwilog -addLogger -name NAME`: a trace logger for it;
// -removeLogger: back to the manager's level). Both are kept in the settings table, so they
// survive a restart; without any, the manager logs at the level it was started with.
//
// A component is the `component` field of a child logger (log.child({ component: 'http' })).
// Every such child of the manager's logger is found when it is made (pino's onChild), and set
// to its level whenever a level changes. The children those make (a request's logger, a
// task's) have no level of their own: they follow their component's, which pino's loggers
// inherit through their prototypes.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { CapstanError } from '../../api/errors.js';
import { LOG_COMPONENTS, LOG_LEVELS, type LogComponent, type LogLevel, type LogLevelsView } from '../../api/operations.js';
import type { Database } from '../db/schema.js';

const SETTINGS_KEY = 'logging.levels';

interface Stored {
  level?: LogLevel;
  components?: Partial<Record<LogComponent, LogLevel>>;
}

export function checkLevel(level: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new CapstanError('CAP-E1030', `"${level}": one of ${LOG_LEVELS.join(', ')}`);
  return level as LogLevel;
}

export function checkComponent(name: string): LogComponent {
  if (!(LOG_COMPONENTS as readonly string[]).includes(name)) throw new CapstanError('CAP-E1031', `"${name}": one of ${LOG_COMPONENTS.join(', ')}`);
  return name as LogComponent;
}

const componentOf = (l: Logger): unknown => (l.bindings() as { component?: unknown }).component;

export class LogLevels {
  /** The level the manager was started with. */
  readonly configured: string;
  private level: LogLevel | undefined;
  private readonly own = new Map<LogComponent, LogLevel>();
  /** The component loggers made so far, by component (weakly: one that is dropped goes). */
  private readonly loggers = new Map<string, Set<WeakRef<Logger>>>();

  constructor(private readonly db: Kysely<Database>, private readonly root: Logger) {
    this.configured = root.level;
    const previous = root.onChild;
    root.onChild = (child) => {
      previous.call(root, child);
      this.adopt(child);
    };
  }

  /** Applies the levels kept in the database (at the manager's start). */
  async load(): Promise<void> {
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', SETTINGS_KEY).executeTakeFirst();
    if (!row) return;
    let stored: Stored;
    try {
      stored = JSON.parse(row.value) as Stored;
    } catch {
      stored = {};
    }
    // Levels and components this version does not know are left out, not refused: the manager starts.
    const known = <T extends string>(list: readonly T[], v: unknown): v is T => typeof v === 'string' && (list as readonly string[]).includes(v);
    this.level = known(LOG_LEVELS, stored.level) ? stored.level : undefined;
    this.own.clear();
    for (const [name, level] of Object.entries(stored.components ?? {})) {
      if (known(LOG_COMPONENTS, name) && known(LOG_LEVELS, level)) this.own.set(name, level);
    }
    this.apply();
    const view = this.view();
    if (view.setAtRunTime || view.components.length > 0) {
      this.root.info({ logLevel: view.level, configuredLevel: this.configured, components: Object.fromEntries(this.own) },
        'log levels as set while the manager ran (capstan manager log-level --reset returns to the configured level)');
    }
  }

  view(): LogLevelsView {
    return {
      level: this.root.level,
      configuredLevel: this.configured,
      setAtRunTime: this.level !== undefined,
      components: [...this.own].sort(([a], [b]) => a.localeCompare(b)).map(([name, level]) => ({ name, level })),
      knownComponents: [...LOG_COMPONENTS],
      levels: [...LOG_LEVELS],
    };
  }

  async setLevel(level: string): Promise<LogLevelsView> {
    this.level = checkLevel(level);
    return this.changed();
  }

  async setComponent(name: string, level: string): Promise<LogLevelsView> {
    const component = checkComponent(name);
    this.own.set(component, checkLevel(level));
    return this.changed();
  }

  async removeComponent(name: string): Promise<LogLevelsView> {
    const component = checkComponent(name);
    if (!this.own.has(component)) return this.view();
    this.own.delete(component);
    return this.changed();
  }

  /** Everything back to the level the manager was started with. */
  async reset(): Promise<LogLevelsView> {
    if (this.level === undefined && this.own.size === 0) return this.view();
    this.level = undefined;
    this.own.clear();
    return this.changed();
  }

  private async changed(): Promise<LogLevelsView> {
    this.apply();
    const stored: Stored = { ...(this.level ? { level: this.level } : {}), ...(this.own.size ? { components: Object.fromEntries(this.own) } : {}) };
    if (Object.keys(stored).length === 0) {
      await this.db.deleteFrom('settings').where('key', '=', SETTINGS_KEY).execute();
    } else {
      const value = JSON.stringify(stored);
      await this.db.insertInto('settings').values({ key: SETTINGS_KEY, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
    }
    const view = this.view();
    // At warn: this line is seen whatever the level was.
    this.root.warn({ logLevel: view.level, components: Object.fromEntries(this.own) }, 'log levels changed');
    return view;
  }

  private apply(): void {
    this.root.level = this.level ?? this.configured;
    for (const [name, refs] of this.loggers) {
      for (const ref of refs) {
        const l = ref.deref();
        if (l) l.level = this.levelOf(name);
        else refs.delete(ref);
      }
    }
  }

  private levelOf(component: string): string {
    return this.own.get(component as LogComponent) ?? this.root.level;
  }

  /** A new child logger: a component's own logger is registered and given its level; a child of one follows it. */
  private adopt(child: Logger): void {
    const component = componentOf(child);
    if (typeof component !== 'string') return;
    const parent = Object.getPrototypeOf(child) as Logger;
    if (parent !== this.root && componentOf(parent) === component) return;
    let refs = this.loggers.get(component);
    if (!refs) this.loggers.set(component, (refs = new Set()));
    refs.add(new WeakRef(child));
    const level = this.levelOf(component);
    if (child.level !== level) child.level = level;
  }
}
