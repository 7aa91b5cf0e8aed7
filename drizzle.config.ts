import { defineConfig } from "drizzle-kit";

// D1 migrations: generated here, applied by `wrangler d1 migrations apply DB`.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/accounts/schema.ts",
  out: "./migrations",
});
