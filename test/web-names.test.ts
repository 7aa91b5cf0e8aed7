import { describe, expect, it } from "vitest";
import { memberName } from "../web/names";

const user = (id: string, handle: string, displayName: string) => ({ id, handle, displayName, createdAt: 0 });
const channel = (...members: ReturnType<typeof user>[]) => ({ id: "g_x", kind: "group" as const, title: "g", members, createdAt: 0 });

describe("web app: member names", () => {
  it("shows @handle beside a display name that two members of the channel share", () => {
    const c = channel(user("u1", "alice", "Alice"), user("u2", "mallory", "Alice"), user("u3", "bob", "Bob"));
    expect(memberName(c, "u1")).toBe("Alice (@alice)");
    expect(memberName(c, "u2")).toBe("Alice (@mallory)");
    expect(memberName(c, "u3")).toBe("Bob");
  });

  it("treats names that differ only in case or compatibility forms as shared", () => {
    const c = channel(user("u1", "alice", "Alice"), user("u2", "mallory", "ＡＬＩＣＥ"));
    expect(memberName(c, "u2")).toBe("ＡＬＩＣＥ (@mallory)");
  });

  it("shows the plain name when it is unique, and Someone for a non-member", () => {
    const c = channel(user("u1", "alice", "Alice"), user("u3", "bob", "Bob"));
    expect(memberName(c, "u1")).toBe("Alice");
    expect(memberName(c, "nobody")).toBe("Someone");
    expect(memberName(null, "u1")).toBe("Someone");
  });
});
