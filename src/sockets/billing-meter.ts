/** What one object has been billed for, as far as it can see itself. */
export interface BilledUsage {
  statements: number;
  /** SQLite rows read and written, as the platform bills them (each cursor's rowsRead / rowsWritten). */
  rowsRead: number;
  rowsWritten: number;
  alarms: number;
  /** Wall time of the alarm runs (duration is billed by wall time, waits included). */
  alarmMs: number;
}

type Cursor = SqlStorageCursor<Record<string, SqlStorageValue>>;

const zero = (): BilledUsage => ({ statements: 0, rowsRead: 0, rowsWritten: 0, alarms: 0, alarmMs: 0 });

/**
 * Tallies an object's billed usage. Every query of an object goes through its
 * drizzle client, built over meteredStorage: the one place SQL is counted.
 * Read by test/operation-counts.test.ts through runInDurableObject; nothing
 * serves it over HTTP or RPC.
 */
export class BillingMeter {
  private usage = zero();
  /** The latest cursor, counted when the next query starts (drizzle has read it through by then) or at take(). */
  private open: Cursor | null = null;

  query(cursor: Cursor): void {
    this.settle();
    this.usage.statements++;
    this.open = cursor;
  }

  alarm(ms: number): void {
    this.usage.alarms++;
    this.usage.alarmMs += ms;
  }

  /** What was counted since the last take(); counting starts again from zero. */
  take(): BilledUsage {
    this.settle();
    const usage = this.usage;
    this.usage = zero();
    return usage;
  }

  private settle(): void {
    if (!this.open) return;
    this.usage.rowsRead += this.open.rowsRead;
    this.usage.rowsWritten += this.open.rowsWritten;
    this.open = null;
  }
}

/** The object's storage, with every `sql.exec` cursor handed to the meter. */
export function meteredStorage(storage: DurableObjectStorage, meter: BillingMeter): DurableObjectStorage {
  const exec = (query: string, ...bindings: unknown[]): Cursor => {
    const cursor = storage.sql.exec(query, ...bindings);
    meter.query(cursor);
    return cursor;
  };
  const sql = new Proxy(storage.sql, { get: (target, key) => (key === "exec" ? exec : Reflect.get(target, key)) });
  return new Proxy(storage, {
    get: (target, key) => {
      if (key === "sql") return sql;
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
