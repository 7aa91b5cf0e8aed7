import fc from "fast-check";
import { MAX_FRAME_BYTES } from "../../src/protocol";

/** Characters that break naive code: NUL, BOM, bidi overrides, zero-width, lone surrogates, astral, combining. */
const oddChar = fc.oneof(
  fc.constantFrom("\u0000", "\ufeff", "\u202e", "\u200b", "\ud800", "\udfff", "\uffff", "\ufffd", "🙂", "👩‍👩‍👧", "e\u0301", "\n", '"', "\\", "'", "<", "%00"),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
);
export const oddString = fc.oneof(
  fc.string({ unit: oddChar, maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom("", " ", "   \t\n", "null", "undefined", "__proto__", "constructor", "0", "-1", "1e309", "NaN"),
);

/** Scalars of every JSON type, including the awkward numbers. */
const oddScalar = fc.oneof(
  oddString,
  fc.constantFrom(null, true, false, 0, -0, -1, 1.5, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any JSON value, odd strings as keys and values. */
export const anyJson = fc.jsonValue({ maxDepth: 4, stringUnit: oddChar });

/** Nested arrays or objects, `depth` levels deep, as JSON text (built by hand: JSON.stringify would recurse). */
export const deepJson = fc
  .tuple(fc.integer({ min: 100, max: 20_000 }), fc.boolean())
  .map(([depth, arrays]) => (arrays ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth)));

/** A large string, around and past the frame and body limit of 64 KiB (in bytes, multi-byte characters too). */
export const hugeString = fc
  .tuple(fc.constantFrom("a", "é", "€", "🙂"), fc.integer({ min: -64, max: 64 }))
  .map(([ch, delta]) => ch.repeat(Math.max(1, Math.floor(MAX_FRAME_BYTES / new TextEncoder().encode(ch).length) + delta)));

/** A value for a field: right type or wrong, odd or huge, or a nested structure. */
export const fieldValue = fc.oneof(
  { weight: 4, arbitrary: oddScalar },
  { weight: 2, arbitrary: anyJson },
  { weight: 1, arbitrary: fc.array(oddScalar, { maxLength: 5 }) },
  { weight: 1, arbitrary: hugeString },
);

/**
 * An object shaped like a known frame or body (its `type` and field names,
 * sometimes extra keys or fields missing), with random values.
 */
export function shapedLike(types: readonly string[], fields: readonly string[]) {
  const keys = fc.constantFrom(...fields, "__proto__", "constructor", "extra");
  return fc
    .tuple(
      types.length ? fc.oneof(fc.constantFrom(...types), oddString, fc.constant(undefined), oddScalar) : fc.constant(undefined),
      fc.dictionary(keys, fieldValue, { maxKeys: fields.length + 1 }),
    )
    .map(([type, rest]) => (type === undefined ? rest : { type, ...rest }));
}

/** JSON text of anything, or text that is not JSON at all. */
export function frameText(types: readonly string[], fields: readonly string[]) {
  return fc.oneof(
    { weight: 5, arbitrary: shapedLike(types, fields).map((o) => JSON.stringify(o)) },
    { weight: 2, arbitrary: anyJson.map((o) => JSON.stringify(o)) },
    { weight: 1, arbitrary: deepJson },
    { weight: 1, arbitrary: oddString },
    { weight: 1, arbitrary: hugeString.map((s) => JSON.stringify({ type: types[0], body: s, clientMsgId: "huge" })) },
    { weight: 1, arbitrary: fc.constantFrom("{", '{"type":', "[1,", "\u0000", '{"type":"send"}garbage', "{\"type\":\"send\",\"clientMsgId\":\"x\",\"body\":\"\\ud800\"}") },
  );
}
