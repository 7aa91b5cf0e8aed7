import { sql, type Column, type SQL } from "drizzle-orm";

/**
 * `column IN (list)` with the whole list bound as one JSON parameter: Durable
 * Object SQLite allows at most 100 bound parameters per statement.
 */
export function inList(column: Column, values: readonly (number | string)[]): SQL {
  return sql`${column} in (select value from json_each(${JSON.stringify(values)}))`;
}
