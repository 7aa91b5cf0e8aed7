import { describe, expect, it } from "vitest";
import { imageInfo } from "./image-info";
import { parseRange } from "./range";

describe("imageInfo", () => {
  it("reads the size from GIF and PNG headers and refuses lookalikes", () => {
    const gif = new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x40, 0x01, 0xf0, 0x00, 0, 0]);
    expect(imageInfo(gif)).toEqual({ type: "image/gif", width: 320, height: 240 });
    const png = new Uint8Array(24);
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0x13, 0x88, 0, 0, 0x0b, 0xb8]);
    expect(imageInfo(png)).toEqual({ type: "image/png", width: 5000, height: 3000 });
    png[15] = 0; // no IHDR
    expect(imageInfo(png)).toBeNull();
    expect(imageInfo(new TextEncoder().encode("GIF89a"))).toBeNull();
    expect(imageInfo(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 2]))).toBeNull();
  });
});

describe("parseRange", () => {
  it("resolves one byte range against the size, and tells an unsatisfiable one from one to ignore", () => {
    expect(parseRange("bytes=0-9", 100)).toEqual({ offset: 0, length: 10 });
    expect(parseRange("bytes=90-200", 100)).toEqual({ offset: 90, length: 10 });
    expect(parseRange("bytes=-30", 100)).toEqual({ offset: 70, length: 30 });
    expect(parseRange("bytes=-300", 100)).toEqual({ offset: 0, length: 100 });
    expect(parseRange("bytes=100-", 100)).toBe("unsatisfiable");
    expect(parseRange("bytes=-0", 100)).toBe("unsatisfiable");
    expect(parseRange("bytes=0-1,5-6", 100)).toBeNull();
    expect(parseRange("items=0-1", 100)).toBeNull();
    expect(parseRange("bytes=9-3", 100)).toBeNull();
    expect(parseRange(null, 100)).toBeNull();
  });
});
