import { describe, expect, it } from "vitest";
import { UnsafeArtifactPathError } from "../../../src/artifacts/errors.js";
import { checkArtifactPath, checkProxiedArtifactPath, decodeArtifactPath, isSafeArtifactPath } from "../../../src/artifacts/path-safety.js";
import { ValidationError } from "../../../src/core/errors.js";

/**
 * Payloads of the MLflow path-traversal CVEs (performance-and-reliability.md §5) and their usual
 * variants, each with the rule that must refuse it.
 */
const CVE_CORPUS: [cve: string, payload: string, rule: string][] = [
  ["CVE-2023-1177 (LFI via source)", "/etc/passwd", "absolute"],
  ["CVE-2023-1177 (LFI via file URI)", "file:///etc/passwd", "absolute"],
  ["CVE-2023-1177 (relative file URI)", "file:etc/passwd", "absolute"],
  ["CVE-2023-1177 (relative)", "../../../../etc/passwd", "parent-segment"],
  ["CVE-2023-2356 (relative ../)", "model/../../../../etc/shadow", "parent-segment"],
  ["CVE-2023-2356 (trailing ..)", "a/b/..", "parent-segment"],
  ["CVE-2023-2780 (backslash)", "\\..\\..\\windows\\win.ini", "backslash"],
  ["CVE-2023-2780 (mixed separators)", "model/..\\..\\etc\\passwd", "backslash"],
  ["CVE-2023-2780 (UNC)", "\\\\server\\share\\x", "backslash"],
  ["CVE-2023-6831 (delete traversal)", "../../../mlruns/0", "parent-segment"],
  ["CVE-2024-1560 (single encoding)", "%2e%2e/%2e%2e/etc/passwd", "parent-segment"],
  ["CVE-2024-1560 (double encoding)", "%252e%252e%252f%252e%252e%252fetc", "parent-segment"],
  ["CVE-2024-1560 (triple encoding)", "%25252e%25252e%25252f", "parent-segment"],
  ["CVE-2024-1560 (ten encodings: MLflow gives up decoding)", `%${"25".repeat(9)}2e`, "percent-encoding"],
  ["CVE-2024-1560 (encoded slash)", "..%2f..%2fetc%2fpasswd", "parent-segment"],
  ["CVE-2024-1560 (encoded absolute)", "%2fetc%2fpasswd", "absolute"],
  ["CVE-2024-1560 (encoded backslash)", "..%5c..%5cwin.ini", "backslash"],
  ["CVE-2024-1593 (path parameter)", "..;/..;/etc/passwd", "path-parameter"],
  ["CVE-2024-1593 (parameter in segment)", "model;jsessionid=1/x", "path-parameter"],
  ["CVE-2023-6909 (fragment)", "model#/../../../etc/passwd", "fragment"],
  ["CVE-2023-6909 (encoded fragment)", "model%23/../x", "fragment"],
  ["CVE-2024-1593 (encoded path parameter)", "model%3Bjsessionid=1/x", "path-parameter"],
  ["drive letter", "C:/Windows/System32", "drive-letter"],
  ["drive letter, relative", "c:secret.txt", "drive-letter"],
  ["NUL byte", "model\u0000.pkl", "control-character"],
  ["encoded NUL byte", "model%00.pkl", "control-character"],
  ["encoded empty segment", "a%2F%2Fb", "empty-segment"],
  ["newline", "a\nb", "control-character"],
  ["DEL", "a\u007fb", "control-character"],
  ["empty segment", "a//b", "empty-segment"],
  ["dot segment", "./a", "empty-segment"],
  ["absolute with trailing slash", "/", "absolute"],
];

describe("checkArtifactPath", () => {
  it.each(CVE_CORPUS)("refuses %s: %j", (_cve, payload, rule) => {
    const error = catchError(() => checkArtifactPath(payload, "artifactFile"));
    expect(error).toBeInstanceOf(UnsafeArtifactPathError);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.rule).toBe(rule);
    expect(error.key).toBe("artifactFile");
    expect(error.message).toContain("artifactFile");
    expect(error.message).toContain("Fix:");
    expect(isSafeArtifactPath(payload)).toBe(false);
  });

  it.each([
    "model.pkl",
    "model/weights.bin",
    "a/b/c/d.txt",
    "data.csv.gz",
    "my model/v1 (final).onnx",
    "日本語/ファイル.txt",
    "a..b/c...d",
    ".hidden/.env",
    "100%.txt",
    "50%off/x",
    "acc 100%25.png",
    "plots/%C3%A9t%C3%A9.png",
    "a%2Fb.txt",
    "x%zz",
  ])("accepts the ordinary path %j", (path) => {
    expect(checkArtifactPath(path, "artifactFile")).toBe(path);
    expect(isSafeArtifactPath(path)).toBe(true);
  });

  it("decodes as MLflow's server does: repeatedly, UTF-8 with replacement, invalid escapes kept", () => {
    expect(decodeArtifactPath("acc 100%25.png")).toBe("acc 100%.png");
    expect(decodeArtifactPath("%252e%252e")).toBe("..");
    expect(decodeArtifactPath("%C3%A9t%C3%A9")).toBe("été");
    expect(decodeArtifactPath("%C3A")).toBe("\uFFFDA");
    expect(decodeArtifactPath("50%off%zz")).toBe("50%off%zz");
    expect(decodeArtifactPath(`%${"25".repeat(8)}41`)).toBe("A"); // nine encodings: MLflow decodes them
    expect(decodeArtifactPath(`%${"25".repeat(9)}41`)).toBeUndefined(); // ten: it gives up
  });

  it("refuses, for the proxy only, a legal name the server would decode into another", () => {
    expect(() => checkProxiedArtifactPath("plots/acc.png", "artifactFile")).not.toThrow();
    const error = catchError(() => checkProxiedArtifactPath("plots/acc 100%25.png", "artifactFile"));
    expect(error).toBeInstanceOf(UnsafeArtifactPathError);
    expect(error.rule).toBe("proxy-decodes");
    expect(error.message).toContain('"plots/acc 100%.png"');
    expect(error.message).toContain("Fix:");
  });

  it("removes one trailing slash", () => {
    expect(checkArtifactPath("model/", "artifactPath")).toBe("model");
  });

  it("accepts the root only when allowed", () => {
    expect(checkArtifactPath("", "path", true)).toBe("");
    expect(catchError(() => checkArtifactPath("", "artifactFile")).rule).toBe("empty");
  });

  it("shows control characters escaped in the message", () => {
    expect(catchError(() => checkArtifactPath("a\u0000b", "artifactFile")).message).toContain('"a\\u0000b"');
  });
});

function catchError(fn: () => unknown): UnsafeArtifactPathError {
  try {
    fn();
  } catch (error) {
    return error as UnsafeArtifactPathError;
  }
  throw new Error("expected an error");
}
