import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { writeFileSync } from "node:fs";
import { defineConfig } from "vitest/config";
import { generateVapidKeys } from "./scripts/ensure-dev-vars.mjs";

const migrations = await readD1Migrations("./migrations");
// Tests get their own VAPID pair, so they never depend on a local .dev.vars.
const vapid = await generateVapidKeys();

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        // test/operation-counts.test.ts hands its figures here; `node bench/counts.mjs` sets COUNTS_OUT to keep them.
        serviceBindings: {
          COUNTS_OUT: async (request: Request) => {
            if (process.env.COUNTS_OUT) writeFileSync(process.env.COUNTS_OUT, (await request.text()) + "\n");
            return new Response(null, { status: 204 });
          },
        },
        // Short presence timings so tests can watch users go offline.
        bindings: { TEST_MIGRATIONS: migrations, PUSH_INSECURE_ENDPOINTS: "true", HEARTBEAT_TIMEOUT_MS: "2000", PRESENCE_GRACE_MS: "1000",
          VAPID_PUBLIC_KEY: vapid.publicKey,
          VAPID_PRIVATE_KEY: vapid.privateKey!,
          VAPID_SUBJECT: "mailto:tests@example.com",
          ID_SIGNING_KEY: "test-id-signing-key",
          ATTACHMENT_URL_KEY: "test-attachment-url-key",
          // Small attachment limits, so tests reach them with small files.
          MAX_ATTACHMENT_BYTES: "1048576",
          ATTACHMENT_QUOTA_BYTES: "3145728",
          USER_ATTACHMENT_QUOTA_BYTES: "5242880",
        },
      },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    exclude: ["test/e2e/**", "test/faults/**", "node_modules/**"],
    setupFiles: ["./test/apply-migrations.ts"],
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
