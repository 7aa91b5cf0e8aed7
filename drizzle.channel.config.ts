import { defineConfig } from "drizzle-kit";

// ChannelRoom's SQLite: migrations bundled into the Worker and applied in the object's constructor.
export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: "./src/channel-room/schema.ts",
  out: "./src/channel-room/migrations",
});
