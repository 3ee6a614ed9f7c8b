// Live data without reloads: loads now, again every few seconds while the page is visible,
// and at once when a change is announced. Keeps the last good data while a reload fails.
import { useCallback, useEffect, useRef, useState } from 'react';
import { onChange } from './changes.js';

export const POLL_MS = 3000;

export interface Polled<T> {
  data: T | undefined;
  error: unknown;
  reload(): void;
}

export function usePoll<T>(load: () => Promise<T>, deps: readonly unknown[], intervalMs = POLL_MS): Polled<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);

  const reload = useCallback(() => {
    const mine = ++generation.current;
    loadRef.current().then(
      (d) => {
        if (mine !== generation.current) return;
        setData(d);
        setError(undefined);
      },
      (e: unknown) => {
        if (mine === generation.current) setError(e);
      },
    );
  }, []);

  useEffect(() => {
    setData(undefined);
    reload();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, intervalMs);
    const off = onChange(reload);
    return () => {
      clearInterval(timer);
      off();
      generation.current++;
    };
    // The caller's deps decide when the loaded thing is another one; `load` itself is read
    // through a ref so a new closure each render does not restart the polling.
  }, [...deps, intervalMs, reload]);

  return { data, error, reload };
}
