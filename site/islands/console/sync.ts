/**
 * One place for the network and sending state, so the console shows ONE message about it (App's
 * SyncMessage) instead of a banner, a green note and a red error at once. Screens report what
 * they know (how many submissions wait, what was delivered, that they show a kept copy).
 */
import { useEffect, useState } from 'react';

export interface SyncState {
  online: boolean;
  /** Submissions waiting in this browser's outbox. */
  queued: number;
  /** Submissions the server accepted since the last one was queued. */
  delivered: number;
  /** When the data on screen was last confirmed by the server, if it is a kept copy the server could not confirm now. */
  keptAt: string | null;
}

let state: SyncState = { online: typeof navigator === 'undefined' ? true : navigator.onLine, queued: 0, delivered: 0, keptAt: null };
const listeners = new Set<(s: SyncState) => void>();

/** Merges what a screen knows into the state. */
export function report(p: Partial<SyncState>): void {
  state = { ...state, ...p };
  listeners.forEach((l) => l(state));
}

if (typeof window !== 'undefined') {
  window.addEventListener('online', () => report({ online: true }));
  window.addEventListener('offline', () => report({ online: false }));
}

export function useSync(): SyncState {
  const [s, set] = useState(state);
  useEffect(() => {
    listeners.add(set);
    set(state);
    return () => void listeners.delete(set);
  }, []);
  return s;
}
