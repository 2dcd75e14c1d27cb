/**
 * registerModel against a mocked server: the bounded wait for READY (polls that back off, a typed
 * error when the version stays PENDING or fails), a version-number collision that the registry
 * gave up on is tried again, and the registered model's creation race.
 */
import { HttpResponse, http } from "msw";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ModelRegistrationError } from "../../../src/index.js";
import { API, loggedModelJson, mlflowError, modelVersionJson, record, testClient, useMockServer } from "../helpers/mock-server.js";
import { advance, observe, useRetryClock } from "../helpers/timers.js";

const server = useMockServer();
let randomSpy: { mockRestore(): void } | undefined;
afterEach(() => {
  vi.useRealTimers();
  randomSpy?.mockRestore();
  randomSpy = undefined;
});

/** No random pause before creating a new registered model. */
function noStagger(): void {
  randomSpy = vi.spyOn(Math, "random").mockReturnValue(0);
}

const MODEL_ID = "m-0123456789abcdef0123456789abcdef";
const URI = `models:/${MODEL_ID}`;

/** A logged model, a registered model, and versions whose status follows `statuses` (one per get). */
function registry(
  statuses: string[],
  createVersion: (n: number) => Response | object = () => ({ model_version: { ...modelVersionJson("churn", "1"), status: "PENDING_REGISTRATION" } }),
  options: { exists?: boolean } = {},
) {
  let exists = options.exists ?? true;
  server.use(http.get(`${API}/logged-models/${MODEL_ID}`, () => HttpResponse.json({ model: loggedModelJson(MODEL_ID) })));
  server.use(http.patch(`${API}/logged-models/${MODEL_ID}/tags`, () => HttpResponse.json({})));
  const lookups = record(server, "get", `${API}/registered-models/get`, () =>
    exists ? { registered_model: { name: "churn" } } : mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "Registered Model with name=churn not found"),
  );
  const createdModels = record(server, "post", `${API}/registered-models/create`, () => {
    exists = true;
    return { registered_model: { name: "churn" } };
  });
  const createdVersions = record(server, "post", `${API}/model-versions/create`, (_req, n) => createVersion(n));
  const gets = record(server, "get", `${API}/model-versions/get`, (_req, n) => ({
    model_version: { ...modelVersionJson("churn", "1"), status: statuses[Math.min(n, statuses.length) - 1] },
  }));
  const aliases = record(server, "post", `${API}/registered-models/alias`);
  return { lookups, createdModels, createdVersions, gets, aliases };
}

describe("the wait for READY", () => {
  it("polls with a doubling pause until READY, then sets the alias", async () => {
    useRetryClock();
    const { gets, aliases } = registry(["PENDING_REGISTRATION", "PENDING_REGISTRATION", "READY", "READY"]);
    const client = testClient();
    const outcome = observe(client.models.register(URI, "churn", { alias: "champion" }));
    await advance(0);
    expect(gets).toHaveLength(0);
    await advance(250); // first pause: 250 ms
    expect(gets).toHaveLength(1);
    await advance(499);
    expect(gets).toHaveLength(1);
    await advance(1); // second pause: 500 ms
    expect(gets).toHaveLength(2);
    await advance(1000); // third: 1000 ms → READY
    expect(gets.length).toBeGreaterThanOrEqual(3);
    await advance(0);
    expect(outcome.error).toBeUndefined();
    expect(outcome.settled).toBe(true);
    expect(aliases.map((r) => r.body)).toEqual([{ name: "churn", alias: "champion", version: "1" }]);
    await client.close();
  });

  it("gives up after awaitReadyMs with a ModelRegistrationError naming the version, and sets no alias", async () => {
    useRetryClock();
    const { gets, aliases } = registry(["PENDING_REGISTRATION"]);
    const client = testClient();
    const outcome = observe(client.models.register(URI, "churn", { alias: "champion", awaitReadyMs: 10_000 }));
    for (let step = 0; step < 20 && !outcome.settled; step++) await advance(1_000);
    expect(outcome.error).toBeInstanceOf(ModelRegistrationError);
    const error = outcome.error as ModelRegistrationError;
    expect(error).toMatchObject({ reason: "timeout", modelName: "churn", version: "1", status: "PENDING_REGISTRATION" });
    expect(error.message).toMatch(/still PENDING_REGISTRATION after \d+ ms\. Fix: /);
    // 250, 500, 1000, 2000, then 3000 ms pauses up to 10 s: a bounded number of polls.
    expect(gets.length).toBeGreaterThanOrEqual(5);
    expect(gets.length).toBeLessThanOrEqual(8);
    expect(aliases).toHaveLength(0);
    await client.close();
  });

  it("waitUntilReady cuts its last pause to end at the deadline, polls once more there, then gives up", async () => {
    useRetryClock();
    const { gets } = registry(["PENDING_REGISTRATION"]);
    const client = testClient();
    // Pauses 250 and 500 ms (t = 750), then the 1000 ms pause is cut to 250: the last poll is at t = 1000.
    const outcome = observe(client.models.waitUntilReady("churn", "1", { timeoutMs: 1_000 }));
    await advance(0);
    expect(gets).toHaveLength(1); // the version as it is now
    await advance(750);
    expect(gets).toHaveLength(3);
    await advance(249);
    expect(gets).toHaveLength(3);
    expect(outcome.settled).toBe(false);
    await advance(1);
    expect(gets).toHaveLength(4);
    expect(outcome.error).toBeInstanceOf(ModelRegistrationError);
    expect(outcome.error).toMatchObject({ reason: "timeout", status: "PENDING_REGISTRATION" });
    expect((outcome.error as Error).message).toContain("was still PENDING_REGISTRATION after 1000 ms.");
    await advance(10_000);
    expect(gets).toHaveLength(4);
    await client.close();
  });

  it("waitUntilReady stops polling when its signal aborts, with the signal's reason", async () => {
    useRetryClock();
    const { gets } = registry(["PENDING_REGISTRATION"]);
    const client = testClient();
    const stop = new AbortController();
    const outcome = observe(client.models.waitUntilReady("churn", "1", { timeoutMs: 60_000, signal: stop.signal }));
    await advance(250);
    const polls = gets.length;
    stop.abort(new Error("stop waiting"));
    await advance(10_000);
    expect((outcome.error as Error).message).toBe("stop waiting");
    expect(gets).toHaveLength(polls);
    await client.close();
  });

  it("reports FAILED_REGISTRATION with the registry's message", async () => {
    const { aliases } = registry([]);
    server.use(
      http.get(`${API}/model-versions/get`, () =>
        HttpResponse.json({ model_version: { ...modelVersionJson("churn", "1"), status: "FAILED_REGISTRATION", status_message: "source not readable" } }),
      ),
    );
    const client = testClient();
    const error = await client.models.register(URI, "churn", { alias: "champion" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelRegistrationError);
    expect((error as ModelRegistrationError).reason).toBe("failed");
    expect((error as Error).message).toContain("failed to register: FAILED_REGISTRATION (source not readable)");
    expect(aliases).toHaveLength(0);
    await client.close();
  });

  it("returns at once with awaitReadyMs 0, without setting an alias on a pending version", async () => {
    const { gets, aliases } = registry(["PENDING_REGISTRATION"]);
    const client = testClient();
    const version = await client.models.register(URI, "churn", { alias: "champion", awaitReadyMs: 0 });
    expect(version.status).toBe("PENDING_REGISTRATION");
    expect(gets).toHaveLength(0);
    expect(aliases).toHaveLength(0);
    await client.close();
  });
});

describe("concurrent registrations", () => {
  it("try a version again when the registry gave up on a number collision", async () => {
    const collision = () => mlflowError(500, "INTERNAL_ERROR", "Model Version creation error (name=churn). Giving up after 3 attempts.");
    const { createdVersions } = registry(["READY"], (n) => (n === 1 ? collision() : { model_version: modelVersionJson("churn", "1") }));
    const client = testClient({ maxRetries: 0 });
    const version = await client.models.register(URI, "churn");
    expect(version.version).toBe("1");
    expect(createdVersions).toHaveLength(2);
    await client.close();
  });

  it("do not try again after an ambiguous failure of another kind", async () => {
    const { createdVersions } = registry(["READY"], () => mlflowError(500, "INTERNAL_ERROR", "disk full"));
    const client = testClient({ maxRetries: 0 });
    await expect(client.models.register(URI, "churn")).rejects.toThrow(/disk full/);
    expect(createdVersions).toHaveLength(1);
    await client.close();
  });

  it("look the registered model up first: an existing one is never created again", async () => {
    const { lookups, createdModels } = registry(["READY"]);
    const client = testClient();
    expect((await client.models.register(URI, "churn")).version).toBe("1");
    expect(lookups).toHaveLength(1);
    expect(createdModels).toHaveLength(0);
    await client.close();
  });

  it("create a new name after a random pause and a second look", async () => {
    noStagger();
    const { lookups, createdModels } = registry(["READY"], undefined, { exists: false });
    const client = testClient();
    expect((await client.models.register(URI, "churn")).version).toBe("1");
    expect(lookups).toHaveLength(2);
    expect(createdModels).toHaveLength(1);
    await client.close();
  });

  it.each([
    ["a 'not found' while the winner commits", () => mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "Registered Model with name=churn not found")],
    [
      "the registry's exhausted connection pool",
      () => mlflowError(400, "BAD_REQUEST", "QueuePool limit of size 5 overflow 10 reached, connection timed out, timeout 30.00"),
    ],
  ])("treat %s as a lost race: look again, and the model is there", async (_name, answer) => {
    noStagger();
    const { lookups } = registry(["READY"], undefined, { exists: false });
    let created = false;
    server.use(
      http.post(`${API}/registered-models/create`, () => {
        created = true;
        return answer();
      }),
      http.get(`${API}/registered-models/get`, () =>
        created ? HttpResponse.json({ registered_model: { name: "churn" } }) : mlflowError(404, "RESOURCE_DOES_NOT_EXIST", "not found"),
      ),
    );
    const client = testClient();
    expect((await client.models.register(URI, "churn")).version).toBe("1");
    expect(lookups).toHaveLength(0); // the later handler answered every lookup
    await client.close();
  });

  it("take an existing registered model as it is when its creation raced", async () => {
    noStagger();
    registry(["READY"], undefined, { exists: false });
    server.use(
      http.post(`${API}/registered-models/create`, () => mlflowError(400, "RESOURCE_ALREADY_EXISTS", "Registered Model (name=churn) already exists.")),
    );
    const client = testClient();
    expect((await client.models.register(URI, "churn")).version).toBe("1");
    await client.close();
  });
});
