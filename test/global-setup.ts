import type { TestProject } from "vitest/node";
import { start } from "./helpers/push-receiver.mjs";

// One local push service (web-push-testing) for the whole run; tests in
// workerd reach it over HTTP at inject("pushReceiverUrl"). Starts in ms.
export default async function setup(project: TestProject) {
  const receiver = await start();
  project.provide("pushReceiverUrl", receiver.url);
  return receiver.stop;
}

declare module "vitest" {
  export interface ProvidedContext {
    pushReceiverUrl: string;
  }
}
