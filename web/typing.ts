import { useEffect, useState } from "preact/hooks";
import type { Channel, ChannelConnection } from "../src/client";
import { listNames, memberName } from "./names";

const TYPING_SHOWN_MS = 4000;

/** "Ann is typing…": who sent a typing frame in the last few seconds, until their next message. */
export function useTyping(conn: ChannelConnection, channel: Channel | null): string {
  const [typers, setTypers] = useState<readonly string[]>([]);
  useEffect(() => {
    const timers = new Map<string, ReturnType<typeof setTimeout>>();
    let newestSeen = conn.messages.newestSeq;
    const stop = (userId: string) => {
      if (!timers.has(userId)) return;
      clearTimeout(timers.get(userId));
      timers.delete(userId);
      setTypers([...timers.keys()]);
    };
    const offs = [
      conn.events.on("typing", ({ userId }) => {
        clearTimeout(timers.get(userId));
        timers.set(userId, setTimeout(() => stop(userId), TYPING_SHOWN_MS));
        setTypers([...timers.keys()]);
      }),
      conn.events.on("messages", (added) => {
        for (const m of added) {
          // Only new messages end "is typing"; an edit or a reaction on an old one does not.
          if (m.seq > newestSeen) stop(m.senderId);
          newestSeen = Math.max(newestSeen, m.seq);
        }
      }),
    ];
    return () => {
      offs.forEach((off) => off());
      for (const t of timers.values()) clearTimeout(t);
    };
  }, [conn]);
  const names = typers.map((id) => memberName(channel, id));
  return names.length === 0 ? "" : `${listNames(names)} ${names.length === 1 ? "is" : "are"} typing…`;
}
