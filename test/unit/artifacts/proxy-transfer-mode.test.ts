import { describe, expect, it } from "vitest";
import { proxyTransferMode } from "../../../src/artifacts/proxy-transfer-mode.js";

describe("proxyTransferMode", () => {
  it("takes the client's setting when there is one, whatever the server advertises", () => {
    expect(proxyTransferMode(true, "3.18.0", { multipart_uploads_enabled: false })).toEqual({
      multipart: true,
      presignedOnly: false,
      multipartSource: "setting",
    });
    expect(proxyTransferMode(false, "3.18.0", { multipart_uploads_enabled: true })).toEqual({
      multipart: false,
      presignedOnly: false,
      multipartSource: "setting",
    });
  });

  it("follows a 3.18+ server's opt-in when not configured, and stays off before 3.18 (those advertise whatever the store can do)", () => {
    expect(proxyTransferMode(undefined, "3.18.0", { multipart_uploads_enabled: true }).multipart).toBe(true);
    expect(proxyTransferMode(undefined, "3.19.1", { multipart_uploads_enabled: false }).multipart).toBe(false);
    expect(proxyTransferMode(undefined, "3.17.2", { multipart_uploads_enabled: true })).toEqual({
      multipart: false,
      presignedOnly: false,
      multipartSource: "default",
    });
    expect(proxyTransferMode(undefined, undefined, undefined).multipart).toBe(false);
  });

  it("reports a presigned-only server from its server-info", () => {
    expect(proxyTransferMode(false, "3.18.0", { artifacts_presigned_only: true }).presignedOnly).toBe(true);
    expect(proxyTransferMode(undefined, "3.18.0", {}).presignedOnly).toBe(false);
  });
});
