/** A page as a chunk of its own, fetched on its route's first visit (under a <Suspense>). */
import { lazy, type ComponentType } from 'react';

export function lazyPage<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  return lazy(async () => ({ default: (await load())[name] }));
}
