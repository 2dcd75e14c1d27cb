/**
 * The ready-made providers of mlflow-ts/auth: a token file swapped as Kubernetes swaps projected
 * tokens, a command bounded in time whose output never shows in an error, and OAuth2 client
 * credentials (the grant's request, expires_in, single flight, a fresh token after a 401, errors
 * that name the endpoint's error and never the secret).
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HttpResponse, http } from "msw";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { commandAuth, oauth2ClientCredentials, tokenFileAuth } from "../../../../../src/auth.js";
import { type AuthProviderContext, AuthProviderError, ConfigurationError } from "../../../../../src/index.js";
import { API, experimentJson, mlflowError, record, testClient, useMockServer } from "../../../helpers/mock-server.js";
import { advance, observe, useRetryClock } from "../../../helpers/timers.js";

const server = useMockServer();
const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-auth-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.useRealTimers());

const call = (reason: AuthProviderContext["reason"] = "initial"): AuthProviderContext => ({ reason, signal: new AbortController().signal });

/** Every 8-character slice of `secret`. */
function expectNoSecret(text: string, secret: string): void {
  for (let i = 0; i + 8 <= secret.length; i++) expect(text).not.toContain(secret.slice(i, i + 8));
}

describe("tokenFileAuth", () => {
  /** A projected-token volume as the kubelet writes it: token -> ..data/token, ..data -> ..<timestamp>. */
  function projectedVolume(token: string): { path: string; rotate: (next: string) => void } {
    const root = mkdtempSync(join(dir, "projected-"));
    let generation = 0;
    const writeGeneration = (value: string): string => {
      const name = `..2026_12_06_${generation++}`;
      mkdirSync(join(root, name));
      writeFileSync(join(root, name, "token"), `${value}\n`);
      return name;
    };
    symlinkSync(writeGeneration(token), join(root, "..data"));
    symlinkSync(join("..data", "token"), join(root, "token"));
    return {
      path: join(root, "token"),
      rotate: (next) => {
        // The kubelet's atomic writer: a new directory, a new symlink, renamed over ..data.
        symlinkSync(writeGeneration(next), join(root, "..data_tmp"));
        renameSync(join(root, "..data_tmp"), join(root, "..data"));
      },
    };
  }

  it("sends the file's token, and after a symlink swap the new one (on the recheck and after a 401)", async () => {
    const volume = projectedVolume("k8s-token-generation-one");
    const provider = tokenFileAuth(volume.path, { recheckMs: 5_000 });
    const first = await provider(call());
    expect(first.headers).toEqual({ Authorization: "Bearer k8s-token-generation-one" });
    expect(first.expiresAtMs).toBeGreaterThan(Date.now());
    volume.rotate("k8s-token-generation-two");
    expect((await provider(call("expired"))).headers.Authorization).toBe("Bearer k8s-token-generation-two");
    volume.rotate("k8s-token-generation-three");
    expect((await provider(call("unauthorized"))).headers.Authorization).toBe("Bearer k8s-token-generation-three");
  });

  it("through a client: a request refused after a swap is replayed with the new token", async () => {
    const volume = projectedVolume("k8s-old-token-0001");
    const seen = record(server, "get", `${API}/experiments/get`, (req) =>
      req.headers.get("authorization") === "Bearer k8s-new-token-0002" ? { experiment: experimentJson() } : mlflowError(401, "UNAUTHENTICATED", "no"),
    );
    const client = testClient({ auth: tokenFileAuth(volume.path) });
    await expect(client.experiments.get("1")).rejects.toThrow(/UNAUTHENTICATED/);
    volume.rotate("k8s-new-token-0002");
    await client.experiments.get("1");
    expect(seen.map((r) => r.headers.get("authorization"))).toEqual([
      "Bearer k8s-old-token-0001",
      "Bearer k8s-old-token-0001",
      "Bearer k8s-old-token-0001",
      "Bearer k8s-new-token-0002",
    ]);
  });

  it("a missing file fails with an AuthProviderError that names the code and the fix, not retried", async () => {
    const error = await tokenFileAuth(join(dir, "absent"))(call()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthProviderError);
    expect(error).toMatchObject({ retryable: false });
    expect((error as Error).message).toMatch(/could not be read \(ENOENT\)\. Fix: check the path and that the volume holding the token is mounted/);
  });

  it("an empty file is retryable (a writer may be mid-swap); a file of several words is refused", async () => {
    writeFileSync(join(dir, "empty"), "  \n");
    await expect(tokenFileAuth(join(dir, "empty"))(call())).rejects.toMatchObject({ retryable: true, message: expect.stringContaining("the file is empty") });
    writeFileSync(join(dir, "words"), "not a token-at-all\n");
    await expect(tokenFileAuth(join(dir, "words"))(call())).rejects.toMatchObject({ retryable: false, message: expect.stringContaining("more than one word") });
  });

  it("refuses an empty path and a non-positive recheck at once", () => {
    expect(() => tokenFileAuth("")).toThrow(ConfigurationError);
    expect(() => tokenFileAuth("/x", { recheckMs: 0 })).toThrow(/recheckMs must be a positive number of ms, got 0\. Fix:/);
  });
});

describe("commandAuth", () => {
  it("sends the token a command prints, refreshed after refreshIntervalMs when it prints no expiry", async () => {
    const before = Date.now();
    const answer = await commandAuth("echo cmd-token-abcdef123456", { refreshIntervalMs: 60_000 })(call());
    expect(answer.headers).toEqual({ Authorization: "Bearer cmd-token-abcdef123456" });
    expect(answer.expiresAtMs).toBeGreaterThanOrEqual(before + 60_000);
  });

  it.each([
    ["OAuth2's token response", `{"access_token":"json-token-123456","expires_in":120}`, 120_000],
    ["a Kubernetes ExecCredential", `{"kind":"ExecCredential","status":{"token":"json-token-123456","expirationTimestamp":"EXPIRES"}}`, 300_000],
    ["{ token, expires_at } in seconds", `{"token":"json-token-123456","expires_at":EPOCH}`, 600_000],
  ])("reads the token and its expiry from %s", async (_name, template, lifetimeMs) => {
    const now = Date.now();
    const json = template.replace("EXPIRES", new Date(now + lifetimeMs).toISOString()).replace("EPOCH", String((now + lifetimeMs) / 1000));
    const file = join(dir, "answer.json");
    writeFileSync(file, json);
    const answer = await commandAuth(`cat '${file}'`)(call());
    expect(answer.headers.Authorization).toBe("Bearer json-token-123456");
    expect(Math.abs(answer.expiresAtMs! - (now + lifetimeMs))).toBeLessThan(5_000);
  });

  it("kills a command that runs past its timeout and fails with a retryable AuthProviderError", async () => {
    const error = await commandAuth("sleep 30", { timeoutMs: 200 })(call()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthProviderError);
    expect(error).toMatchObject({ retryable: true, provider: "commandAuth (sleep)" });
    expect((error as Error).message).toContain("did not finish within 200 ms and was killed. Fix:");
  });

  it("a failing command's output (stdout and stderr) never shows in the error", async () => {
    const secret = "printed-secret-9f8e7d6c5b4a";
    const error = await commandAuth(`echo ${secret}; echo ${secret} >&2; exit 3`)(call()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthProviderError);
    expect((error as Error).message).toMatch(/exited with code 3; its output is not shown, as it may hold secrets\. Fix: run the command yourself/);
    expectNoSecret(`${(error as Error).message}\n${(error as Error).stack}\n${JSON.stringify(error)}`, secret);
  });

  it("refuses a timeout beyond the client's 30 s bound of any provider call, at once", () => {
    expect(() => commandAuth("echo x", { timeoutMs: 60_000 })).toThrow(
      /timeoutMs is 60000 ms, more than the 30000 ms the client gives any auth provider\. Fix:/,
    );
  });

  it("a command that is not found is not retried; one that prints nothing is refused clearly", async () => {
    await expect(commandAuth("definitely-not-a-command-xyz")(call())).rejects.toMatchObject({
      retryable: false,
      message: expect.stringContaining("code 127 (not found"),
    });
    await expect(commandAuth("true")(call())).rejects.toThrow(/the command printed nothing\. Fix: make the command print the token alone/);
  });

  it("is configured by MLFLOW_TS_TRACKING_TOKEN_COMMAND, with the client's environment", async () => {
    const seen = record(server, "get", `${API}/experiments/get`, () => ({ experiment: experimentJson() }));
    const client = testClient({ env: { MLFLOW_TS_TRACKING_TOKEN_COMMAND: "echo $MY_TOKEN", MY_TOKEN: "env-command-token-42" } });
    expect(client.config.auth).toMatchObject({ kind: "provider", source: "MLFLOW_TS_TRACKING_TOKEN_COMMAND" });
    await client.experiments.get("1");
    expect(seen[0]!.headers.get("authorization")).toBe("Bearer env-command-token-42");
  });
});

describe("oauth2ClientCredentials", () => {
  const TOKEN_URL = "http://idp.test/oauth2/token";
  const SECRET = "client-secret-7d1e0c5a9b3f";
  const options = { tokenUrl: TOKEN_URL, clientId: "training-jobs", clientSecret: SECRET, scope: ["mlflow", "read"] };

  function tokenEndpoint(
    reply: (n: number) => Response = (n) => HttpResponse.json({ access_token: `access-${n}-abcdefghij`, token_type: "bearer", expires_in: 60 }),
  ) {
    const seen: { authorization: string | null; form: URLSearchParams }[] = [];
    server.use(
      http.post(TOKEN_URL, async ({ request }) => {
        seen.push({ authorization: request.headers.get("authorization"), form: new URLSearchParams(await request.text()) });
        await new Promise((resolve) => setImmediate(resolve));
        return reply(seen.length);
      }),
    );
    return seen;
  }

  it("asks for a token with the client-credentials grant, HTTP Basic client auth and the scopes", async () => {
    const seen = tokenEndpoint();
    const answer = await oauth2ClientCredentials(options)(call());
    expect(answer.headers).toEqual({ Authorization: "Bearer access-1-abcdefghij" });
    expect(seen[0]!.authorization).toBe(`Basic ${Buffer.from(`training-jobs:${SECRET}`).toString("base64")}`);
    expect(Object.fromEntries(seen[0]!.form)).toEqual({ grant_type: "client_credentials", scope: "mlflow read" });
  });

  it("client_secret_post sends id and secret in the form instead", async () => {
    const seen = tokenEndpoint();
    await oauth2ClientCredentials({ ...options, authMethod: "client_secret_post", scope: "mlflow" })(call());
    expect(seen[0]!.authorization).toBeNull();
    expect(Object.fromEntries(seen[0]!.form)).toEqual({ grant_type: "client_credentials", scope: "mlflow", client_id: "training-jobs", client_secret: SECRET });
  });

  it("keeps the token until shortly before expires_in, then fetches a new one", async () => {
    useRetryClock();
    const seen = tokenEndpoint();
    const provider = oauth2ClientCredentials(options);
    const ask = async (): Promise<string | undefined> => {
      const outcome = observe(provider(call("expired")));
      await advance(0);
      return outcome.value?.headers.Authorization;
    };
    expect(await ask()).toBe("Bearer access-1-abcdefghij");
    await advance(44_000); // 60 s token: refreshed 15 s before the expiry
    expect(await ask()).toBe("Bearer access-1-abcdefghij");
    await advance(2_000);
    expect(await ask()).toBe("Bearer access-2-abcdefghij");
    expect(seen).toHaveLength(2);
  });

  it("50 concurrent calls make one token request; a 401 (reason unauthorized) makes one new one", async () => {
    const seen = tokenEndpoint();
    const provider = oauth2ClientCredentials(options);
    const answers = await Promise.all(Array.from({ length: 50 }, () => provider(call())));
    expect(new Set(answers.map((a) => a.headers.Authorization))).toEqual(new Set(["Bearer access-1-abcdefghij"]));
    const refreshed = await Promise.all(Array.from({ length: 50 }, () => provider(call("unauthorized"))));
    expect(seen).toHaveLength(2);
    expect(new Set(refreshed.map((a) => a.headers.Authorization))).toEqual(new Set(["Bearer access-2-abcdefghij"]));
  });

  it("invalid_client fails with the endpoint's error, not retried, with no secret or token in it", async () => {
    tokenEndpoint(() => HttpResponse.json({ error: "invalid_client", error_description: "Invalid client credentials" }, { status: 401 }));
    const error = await oauth2ClientCredentials(options)(call()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthProviderError);
    expect(error).toMatchObject({ retryable: false });
    expect((error as Error).message).toBe(
      'The auth provider oauth2ClientCredentials (idp.test) failed (called for reason "initial"): the token endpoint answered HTTP 401 (invalid_client: Invalid client credentials). Fix: check clientId and clientSecret (and authMethod)',
    );
    expectNoSecret(`${(error as Error).message}\n${(error as Error).stack}\n${JSON.stringify(error)}`, SECRET);
  });

  it("a 503 from the token endpoint is retried with the tracking request, and the request then succeeds", async () => {
    tokenEndpoint((n) => (n === 1 ? new HttpResponse("down", { status: 503 }) : HttpResponse.json({ access_token: "access-ok-abcdefghij", expires_in: 60 })));
    const seen = record(server, "get", `${API}/experiments/get`, () => ({ experiment: experimentJson() }));
    await testClient({ auth: oauth2ClientCredentials(options) }).experiments.get("1");
    expect(seen.map((r) => r.headers.get("authorization"))).toEqual(["Bearer access-ok-abcdefghij"]);
  });

  it("a token echoed back by the tracking server is masked in the error", async () => {
    tokenEndpoint(() => HttpResponse.json({ access_token: "echoed-access-token-0987654321", expires_in: 60 }));
    record(server, "get", `${API}/experiments/get`, (req) => mlflowError(403, "PERMISSION_DENIED", `token ${req.headers.get("authorization")} may not read`));
    const error = await testClient({ auth: oauth2ClientCredentials(options) })
      .experiments.get("1")
      .catch((e: unknown) => e);
    expectNoSecret(`${(error as Error).message}\n${(error as Error).stack}`, "echoed-access-token-0987654321");
  });

  it.each([
    [{ ...options, tokenUrl: "ftp://idp/token" }, /invalid option "tokenUrl": expected the http\(s\) URL of the token endpoint\. Fix:/],
    [{ ...options, clientId: "" }, /invalid option "clientId": expected a non-empty client id/],
    [{ ...options, clientSecret: "" }, /invalid option "clientSecret": expected a non-empty client secret/],
    [{ ...options, scopes: "x" }, /invalid option "scopes": unknown option \(valid options: tokenUrl, clientId/],
  ])("refuses bad options at once, naming the key (%#)", (bad, message) => {
    const error = (() => {
      try {
        oauth2ClientCredentials(bad as never);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error!.message).toMatch(message);
    expectNoSecret(error!.message, SECRET);
  });
});
