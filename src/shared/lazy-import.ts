/**
 * Something imported at its first need, once per thread (a heavy module: werift costs ~0.5 s of CPU to
 * load): `loaded()` is it once imported, undefined before; `load()` imports it, every caller getting the
 * same promise.
 */
export function lazyImport<T>(importer: () => Promise<T>): { loaded(): T | undefined; load(): Promise<T> } {
  let value: T | undefined;
  let loading: Promise<T> | undefined;
  return {
    loaded: () => value,
    load: () =>
      (loading ??= importer().then((v) => {
        value = v;
        return v;
      })),
  };
}
