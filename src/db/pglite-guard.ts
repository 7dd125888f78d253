/**
 * A trap for development and tests: on PGlite a query on the root database handle while a
 * transaction is open waits for that transaction — forever, when the transaction itself is what
 * waits for the query (PGlite has one connection; on PostgreSQL the pool would quietly use a
 * second one). So inside a transaction's callback the root handle throws at once, naming the fix.
 * Only the transaction's own async context is caught: other requests running meanwhile queue as
 * they should.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { PGlite } from '@electric-sql/pglite';

const insideTransaction = new AsyncLocalStorage<true>();

export class RootHandleInTransaction extends Error {
  override name = 'RootHandleInTransaction';
  constructor() {
    super('A query on the root database handle inside a transaction: use the transaction (tx) given to the callback. On PGlite this query would wait forever.');
  }
}

export function guardRootHandle(client: PGlite): PGlite {
  const refuseInside = <A extends unknown[], R>(run: (...args: A) => R) => (...args: A): R => {
    if (insideTransaction.getStore()) throw new RootHandleInTransaction();
    return run(...args);
  };
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'transaction') {
        return <T>(callback: (tx: Parameters<Parameters<PGlite['transaction']>[0]>[0]) => Promise<T>) =>
          refuseInside(() => target.transaction((tx) => insideTransaction.run(true, () => callback(tx))))();
      }
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const bound = (value as (...args: unknown[]) => unknown).bind(target);
      return prop === 'query' || prop === 'exec' || prop === 'sql' ? refuseInside(bound) : bound;
    },
  });
}
