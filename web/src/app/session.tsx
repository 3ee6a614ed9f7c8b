// Who is logged in and what their roles let them do. The console shows and enables by these
// permissions, the same table the manager enforces on every route (it still refuses alone).
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { ROLES, rolesAllow, type Permission, type Role } from '../../../src/api/roles.js';
import { routes } from '../../../src/api/routes/index.js';
import { ApiError, call, onSessionLost } from '../api/client.js';

export interface Me {
  id: string;
  name: string;
  groups: string[];
  roles: Role[];
  /** Set while the password is one-time (first login, or set by an administrator). */
  mustChangePassword: boolean;
}

export interface Session {
  me: Me | null;
  /** Null until the first whoami has answered. */
  ready: boolean;
  can(permission: Permission): boolean;
  login(name: string, password: string): Promise<void>;
  logout(): Promise<void>;
  refresh(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

const asRoles = (roles: readonly string[]): Role[] => roles.filter((r): r is Role => (ROLES as readonly string[]).includes(r));

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [ready, setReady] = useState(false);

  const refresh = useCallback(async () => {
    try {
      const w = await call(routes.meta.whoami);
      // whoami is open before the password change; a protected probe tells whether one is due.
      const mustChange = await call(routes.auth.tokens).then(() => false, (e: unknown) => e instanceof ApiError && e.code === 'CAP-E0107');
      setMe({ id: w.id, name: w.name, groups: w.groups, roles: asRoles(w.roles), mustChangePassword: mustChange });
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) throw e;
      setMe(null);
    } finally {
      setReady(true);
    }
  }, []);

  useEffect(() => {
    void refresh();
    return onSessionLost(() => setMe(null));
  }, [refresh]);

  const value: Session = {
    me,
    ready,
    can: (permission) => me !== null && !me.mustChangePassword && rolesAllow(permission, me.roles),
    login: async (name, password) => {
      await call(routes.auth.login, { body: { name, password } });
      await refresh();
    },
    logout: async () => {
      await call(routes.auth.logout).catch(() => undefined);
      setMe(null);
    },
    refresh,
  };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
