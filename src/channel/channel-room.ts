import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

export class ChannelRoom extends DurableObject<Env> {}
