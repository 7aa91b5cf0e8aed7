import { readJurisdiction } from "../config";
import { hintOf } from "./signed-id";

/**
 * The stub of the object named `name`, in the deployment's jurisdiction when
 * JURISDICTION is set, with the location hint its id carries. Both only take
 * effect on the platform: the local runtime (workerd under wrangler dev and the
 * tests) accepts and ignores them.
 */
export function placedStub<T extends Rpc.DurableObjectBranded | undefined>(
  namespace: DurableObjectNamespace<T>,
  env: { JURISDICTION?: string },
  name: string,
): DurableObjectStub<T> {
  const jurisdiction = readJurisdiction(env);
  const ns = jurisdiction ? namespace.jurisdiction(jurisdiction) : namespace;
  const locationHint = hintOf(name);
  return ns.get(ns.idFromName(name), locationHint ? { locationHint } : undefined);
}
