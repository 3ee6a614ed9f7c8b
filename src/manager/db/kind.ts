// Which database a location names, without loading any driver (the CLI's configuration needs it).
export type DbKind = 'sqlite' | 'postgres';

export function dbKindOf(location: string): DbKind {
  return /^postgres(ql)?:\/\//.test(location) ? 'postgres' : 'sqlite';
}
