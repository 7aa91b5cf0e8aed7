// The set check must be able to fail: each kind of breakage it exists to catch,
// on hand-made histories, without a service.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkSet } from "./helpers/check.mjs";

const msg = (seq, clientMsgId, body = clientMsgId, senderId = "u1") => ({ seq, id: String(1000 + seq), senderId, clientMsgId, body });
const writer = (ids, ackedIds = ids) => ({
  senderId: "u1",
  sent: new Map(ids.map((id) => [id, id])),
  acks: new Map(ackedIds.map((id, i) => [id, msg(i + 1, id)])),
});

describe("checkSet", () => {
  test("passes a history that stores each acked send once, in gap-free order", () => {
    const r = checkSet([msg(1, "a"), msg(2, "b")], [writer(["a", "b"])]);
    assert.deepEqual(r.problems, []);
    assert.deepEqual([r.sent, r.acked, r.stored, r.lost, r.duplicated], [2, 2, 2, 0, 0]);
  });

  test("counts an acked send that is not stored as lost", () => {
    const r = checkSet([msg(1, "a")], [writer(["a", "b"])]);
    assert.equal(r.lost, 1);
    assert.match(r.problems.join("\n"), /acked b .* not stored/);
  });

  test("does not count an unacked send that never landed as lost", () => {
    const r = checkSet([msg(1, "a")], [writer(["a", "b"], ["a"])]);
    assert.deepEqual([r.lost, r.unacked], [0, 1]);
    assert.deepEqual(r.problems, []);
  });

  test("counts a resend stored a second time as duplicated", () => {
    const r = checkSet([msg(1, "a"), msg(2, "b"), msg(3, "a")], [writer(["a", "b"])]);
    assert.equal(r.duplicated, 1);
  });

  test("finds a gap or a repeat in seq, and ids that do not increase", () => {
    assert.match(checkSet([msg(1, "a"), msg(3, "b")], [writer(["a", "b"], ["a"])]).problems.join(), /seq 2 expected/);
    const swapped = [msg(1, "a"), { ...msg(2, "b"), id: "1000" }];
    assert.match(checkSet(swapped, [writer(["a", "b"])]).problems.join(), /does not increase/);
  });

  test("finds an acked message stored under another seq (the ack came before the write was durable)", () => {
    const w = writer(["a", "b"]);
    const r = checkSet([msg(1, "b"), msg(2, "a")], [w]);
    assert.equal(r.changed, 2);
  });

  test("finds stored messages nobody sent, and bodies that changed", () => {
    assert.match(checkSet([msg(1, "a"), msg(2, "zz")], [writer(["a"])]).problems.join(), /no writer sent/);
    assert.match(checkSet([msg(1, "a", "other")], [writer(["a"])]).problems.join(), /another body/);
  });
});
