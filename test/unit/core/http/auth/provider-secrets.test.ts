/**
 * How long the ready-made auth providers' secrets stay registered for redaction: while a client
 * that uses the provider is open (a replaced token for the 15-minute retention window), and no
 * longer once every such client is closed; and `commandAuth` registers one generation per call.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { commandAuth, tokenFileAuth } from "../../../../../src/auth.js";
import { providerSecretGenerations } from "../../../../../src/core/http/auth/provider-secrets.js";
import { ROTATED_SECRET_RETENTION_MS, redact } from "../../../../../src/core/redact.js";
import type { AuthProviderContext } from "../../../../../src/index.js";
import { API, experimentJson, record, testClient, useMockServer } from "../../../helpers/mock-server.js";

const server = useMockServer();
const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-provider-secrets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.useRealTimers());

const call = (reason: AuthProviderContext["reason"] = "initial"): AuthProviderContext => ({ reason, signal: new AbortController().signal });

function tokenFile(name: string, token: string): { path: string; write: (next: string) => void } {
  const path = join(dir, name);
  const write = (next: string): void => writeFileSync(path, `${next}\n`);
  write(token);
  return { path, write };
}

function masked(secret: string): boolean {
  return !redact(`the server said: ${secret}`).includes(secret);
}

describe("a provider's secrets and its clients", () => {
  it("a closed client's provider drops its generations: its token is no longer registered", async () => {
    record(server, "get", `${API}/experiments/get`, () => ({ experiment: experimentJson() }));
    const file = tokenFile("closed", "closed-client-token-7f3a");
    const provider = tokenFileAuth(file.path);
    const client = testClient({ auth: provider });
    await client.experiments.get("1");
    expect(providerSecretGenerations(provider)).toBe(1);
    expect(masked("closed-client-token-7f3a")).toBe(true);
    await client.close();
    expect(providerSecretGenerations(provider)).toBe(0);
    // Neither the provider's rotation nor the client's auth session keeps it.
    expect(masked("closed-client-token-7f3a")).toBe(false);
  });

  it("a provider shared by two clients keeps its secrets until both are closed", async () => {
    record(server, "get", `${API}/experiments/get`, () => ({ experiment: experimentJson() }));
    const file = tokenFile("shared", "shared-provider-token-91c2");
    const provider = tokenFileAuth(file.path);
    const first = testClient({ auth: provider });
    const second = testClient({ auth: provider });
    await first.experiments.get("1");
    await second.experiments.get("1");
    await first.close();
    expect(providerSecretGenerations(provider)).toBe(1);
    expect(masked("shared-provider-token-91c2")).toBe(true);
    await second.close();
    expect(providerSecretGenerations(provider)).toBe(0);
    expect(masked("shared-provider-token-91c2")).toBe(false);
  });

  it("while the client is open, a replaced token stays masked for the 15-minute window, then is forgotten", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-12-07T00:00:00Z"));
    const seen = record(server, "get", `${API}/experiments/get`, () => ({ experiment: experimentJson() }));
    const file = tokenFile("window", "window-token-one-4b8e");
    const provider = tokenFileAuth(file.path, { recheckMs: 5_000 });
    const client = testClient({ auth: provider });
    await client.experiments.get("1");
    file.write("window-token-two-d19a");
    vi.setSystemTime(Date.now() + 6_000); // past the recheck: the next request reads the file again
    await client.experiments.get("1");
    expect(seen.map((r) => r.headers.get("authorization"))).toEqual(["Bearer window-token-one-4b8e", "Bearer window-token-two-d19a"]);
    vi.setSystemTime(Date.now() + ROTATED_SECRET_RETENTION_MS - 60_000);
    expect(masked("window-token-one-4b8e")).toBe(true); // a request that carried it may still fail with it
    expect(masked("window-token-two-d19a")).toBe(true);

    // Past the window, the next rotation forgets the first token; the current ones stay.
    vi.setSystemTime(Date.now() + 120_000);
    file.write("window-token-three-77e0");
    await client.experiments.get("1");
    expect(masked("window-token-one-4b8e")).toBe(false);
    expect(masked("window-token-two-d19a")).toBe(true);
    expect(masked("window-token-three-77e0")).toBe(true);
    await client.close();
  });
});

describe("commandAuth", () => {
  it("records one generation per call, its output and token together", async () => {
    const file = tokenFile("command", '{"access_token": "command-token-one-5c21", "expires_in": 60}');
    const provider = commandAuth(`cat ${file.path}`);
    await provider(call());
    expect(providerSecretGenerations(provider)).toBe(1);
    expect(masked("command-token-one-5c21")).toBe(true);
    file.write('{"access_token": "command-token-two-e03f", "expires_in": 60}');
    await provider(call("expired"));
    expect(providerSecretGenerations(provider)).toBe(2);
    expect(masked("command-token-one-5c21")).toBe(true);
    expect(masked("command-token-two-e03f")).toBe(true);
  });

  it("registers an output that is not a token in one generation too, and fails without showing it", async () => {
    const file = tokenFile("not-a-token", "two words-secret-8a1d");
    const provider = commandAuth(`cat ${file.path}`);
    const error = await provider(call()).catch((e: unknown) => e);
    expect(String(error)).not.toContain("words-secret-8a1d");
    expect(providerSecretGenerations(provider)).toBe(1);
    expect(masked("two words-secret-8a1d")).toBe(true);
  });
});
