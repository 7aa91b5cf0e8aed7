import type { HistoryPages } from "../../src/client/channel-sync";
import type { Message } from "../../src/protocol";

/** The HTTP pages of a history held in memory: the sync engine's input without a server (the e2e tests run it against the real one). */
export function memoryHistory(all: readonly Message[]): HistoryPages {
  return {
    async messagesAfter(_c, after, limit = 50) {
      const page = all.filter((m) => m.seq > after);
      return { messages: page.slice(0, limit), hasMore: page.length > limit };
    },
    async messagesBefore(_c, before, limit = 50) {
      const page = all.filter((m) => m.seq < before);
      return { messages: page.slice(-limit), hasMore: page.length > limit };
    },
    async changes() {
      return { messages: [], rev: 0, hasMore: false };
    },
  };
}
