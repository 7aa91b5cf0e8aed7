import { defineConfig } from "drizzle-kit";

// UserHub's SQLite: migrations bundled into the Worker and applied in the object's constructor.
export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: "./src/user-hub/schema.ts",
  out: "./src/user-hub/migrations",
});
