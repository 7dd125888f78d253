/** A driver object with some of its methods wrapped (observe.ts, pglite-parsers.ts). */
export type Fn = (...args: unknown[]) => unknown;

/** Calls go to `target`'s own methods (bound to it); those named in `wrap` pass their wrapper first. */
export function intercept<T extends object>(target: T, wrap: Partial<Record<string | symbol, (own: Fn) => Fn>>): T {
  return new Proxy(target, {
    get(t, prop) {
      const value: unknown = Reflect.get(t, prop, t);
      if (typeof value !== 'function') return value;
      const own = (value as Fn).bind(t);
      return wrap[prop]?.(own) ?? own;
    },
  });
}
