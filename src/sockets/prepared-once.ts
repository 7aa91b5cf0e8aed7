/**
 * A database's prepared statements, built on its first use and kept with
 * it: drizzle spends far longer building a query than SQLite running it, so
 * each object's hot paths (the room's sends, the hub's updates) prepare once.
 */
export function preparedOnce<D extends object, S>(prepare: (db: D) => S): (db: D) => S {
  const cache = new WeakMap<D, S>();
  return (db) => {
    let s = cache.get(db);
    if (!s) {
      s = prepare(db);
      cache.set(db, s);
    }
    return s;
  };
}
