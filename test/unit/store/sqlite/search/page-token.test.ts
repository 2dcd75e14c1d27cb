/**
 * Page tokens of the embedded store, byte for byte as MLflow writes and refuses them.
 */
import { describe, expect, it } from "vitest";
import { decodePageToken, encodePageToken } from "../../../../../src/store/sqlite/search/page-token.js";

describe("page tokens", () => {
  it("are base64 of Python's json.dumps({'offset': N}) and round-trip", () => {
    expect(encodePageToken(1000)).toBe("eyJvZmZzZXQiOiAxMDAwfQ==");
    expect(decodePageToken(encodePageToken(7))).toBe(7);
    expect(decodePageToken(undefined)).toBe(0);
  });

  it("refuse tokens MLflow refuses", () => {
    expect(() => decodePageToken("abcde")).toThrow("Invalid page token, could not base64-decode");
    expect(() => decodePageToken("%%%")).toThrow("Invalid page token, decoded value=");
    expect(() => decodePageToken(Buffer.from("nope").toString("base64"))).toThrow("Invalid page token, decoded value=nope");
    expect(() => decodePageToken(Buffer.from('{"offset": 0}').toString("base64"))).toThrow("Invalid page token, parsed value");
  });
});
