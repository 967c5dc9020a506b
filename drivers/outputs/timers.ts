/**
 * Injectable timers. The default binds late (looks up the global on every call) so vitest fake timers,
 * installed after a module is loaded, still take effect.
 */
export type TimerHandle = unknown;

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // An alarm pattern must not keep a stopping process alive; the owner stops it explicitly.
    t.unref?.();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
