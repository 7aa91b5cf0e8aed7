import type { D1Migration } from "@cloudflare/vitest-plugin";

// Bindings only the tests have (vitest.config.ts), merged into the generated Env.
declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      /** Where test/operation-counts.test.ts hands its figures (vitest.config.ts). */
      COUNTS_OUT: Fetcher;
    }
  }
}
