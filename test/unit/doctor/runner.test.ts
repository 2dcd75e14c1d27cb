/**
 * The report logic of the setup check, with stand-in checks: order, skips that propagate from a
 * failed check (and only from a failed one), budgets, crashes, aborts, redaction, and the JSON
 * shape of each result.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { registerSecret } from "../../../src/core/redact.js";
import { BUDGET_SLACK_MS, type CheckDefinition, type CheckOutcome, fail, notApplicable, pass, runChecks, warn } from "../../../src/doctor/runner.js";
import type { CheckId, CheckResult } from "../../../src/doctor/types.js";

type Context = { ran: CheckId[] };

function check(id: CheckId, needs: CheckId[], outcome: CheckOutcome | (() => Promise<CheckOutcome>), calls = 1): CheckDefinition<Context> {
  return {
    id,
    title: `Title of ${id}`,
    needs,
    calls,
    async run(context) {
      context.ran.push(id);
      return typeof outcome === "function" ? outcome() : outcome;
    },
  };
}

async function run(definitions: CheckDefinition<Context>[], options: { signal?: AbortSignal; onCheck?: (result: CheckResult) => void } = {}) {
  const context: Context = { ran: [] };
  const results = await runChecks(definitions, context, { callTimeoutMs: 50, ...options });
  return { context, results, byId: Object.fromEntries(results.map((result) => [result.id, result])) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("runChecks", () => {
  it("runs every check in the given order and reports one result per check, in that order", async () => {
    const seen: string[] = [];
    const { context, results } = await run(
      [check("config", [], pass("a")), check("server.reachable", ["config"], warn("b", "fix b")), check("auth", ["server.reachable"], pass("c"))],
      { onCheck: (result) => seen.push(result.id) },
    );
    expect(context.ran).toEqual(["config", "server.reachable", "auth"]);
    expect(results.map((result) => [result.id, result.status])).toEqual([
      ["config", "pass"],
      ["server.reachable", "warn"],
      ["auth", "pass"],
    ]);
    expect(seen).toEqual(["config", "server.reachable", "auth"]);
  });

  it("skips, without running them, the checks that need a failed check, naming it", async () => {
    const { context, byId } = await run([
      check("config", [], pass("ok")),
      check("server.reachable", ["config"], fail("refused", "start the server")),
      check("auth", ["server.reachable"], pass("never")),
      check("experiment", ["auth"], pass("never")),
    ]);
    expect(context.ran).toEqual(["config", "server.reachable"]);
    expect(byId.auth).toMatchObject({ status: "skip", detail: 'Skipped: needs "Title of server.reachable", which failed.', hint: null, durationMs: 0 });
    expect(byId.experiment?.detail).toBe('Skipped: needs "Title of auth", which could not run because "Title of server.reachable" failed.');
  });

  it("does not let a not-applicable skip or a warning block the checks that need it", async () => {
    const { context, byId } = await run([
      check("s3.endpoint", [], notApplicable("proxied: no S3")),
      check("artifacts.proxy", [], warn("slow", "look")),
      check("artifacts.write", ["s3.endpoint", "artifacts.proxy"], pass("wrote")),
    ]);
    expect(context.ran).toEqual(["s3.endpoint", "artifacts.proxy", "artifacts.write"]);
    expect(byId["artifacts.write"]?.status).toBe("pass");
  });

  it("keeps running the checks that do not need the failed one", async () => {
    const { context, byId } = await run([
      check("server.reachable", [], pass("up")),
      check("s3.endpoint", [], fail("refused", "fix")),
      check("clock", ["server.reachable"], pass("in sync")),
      check("s3.credentials", ["s3.endpoint"], pass("never")),
    ]);
    expect(context.ran).toEqual(["server.reachable", "s3.endpoint", "clock"]);
    expect(byId.clock?.status).toBe("pass");
    expect(byId["s3.credentials"]?.status).toBe("skip");
  });

  it("turns a check that throws into a failure with a bug-report hint, and goes on", async () => {
    const { byId } = await run([
      check("config", [], async () => {
        throw new TypeError("cannot read properties of undefined");
      }),
      check("server.reachable", [], pass("up")),
    ]);
    expect(byId.config).toMatchObject({ status: "fail", detail: "Unexpected error: cannot read properties of undefined" });
    expect(byId.config?.hint).toContain("mlflow-ts doctor --json");
    expect(byId["server.reachable"]?.status).toBe("pass");
  });

  it("fails a check that outlives its budget (calls × call timeout + slack), without waiting for it", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let signalSeen: AbortSignal | undefined;
    const hanging: CheckDefinition<Context> = {
      id: "server.reachable",
      title: "Hangs",
      needs: [],
      calls: 2,
      run: (_context, signal) => {
        signalSeen = signal;
        return new Promise(() => {});
      },
    };
    const pending = run([hanging, check("auth", ["server.reachable"], pass("never"))]);
    await vi.advanceTimersByTimeAsync(2 * 50 + BUDGET_SLACK_MS);
    const { byId } = await pending;
    expect(byId["server.reachable"]).toMatchObject({ status: "fail", detail: "Did not finish within 2.1 s." });
    expect(byId["server.reachable"]?.hint).toContain("MLFLOW_TRACKING_URI");
    expect(signalSeen?.aborted).toBe(true);
    expect(byId.auth?.status).toBe("skip");
  });

  it("reports the checks not yet run as skipped once the caller aborts", async () => {
    const controller = new AbortController();
    const { context, byId } = await run(
      [
        check("config", [], async () => {
          controller.abort();
          return pass("ok");
        }),
        check("server.reachable", [], pass("never")),
      ],
      { signal: controller.signal },
    );
    expect(context.ran).toEqual(["config"]);
    expect(byId["server.reachable"]).toMatchObject({ status: "skip", detail: "Skipped: the check was aborted." });
  });

  it("redacts registered secrets from details and hints", async () => {
    registerSecret("runner-canary-secret-8c1d");
    const { results } = await run([check("config", [], fail("saw runner-canary-secret-8c1d in a message", "unset runner-canary-secret-8c1d"))]);
    expect(JSON.stringify(results)).not.toContain("runner-canary-secret-8c1d");
    expect(results[0]?.detail).toBe("saw *** in a message");
  });

  it("gives every result exactly id, title, status, detail, hint (string or null) and a whole durationMs", async () => {
    const { results } = await run([check("config", [], pass("ok")), check("auth", [], fail("no", "set X"))]);
    for (const result of results) {
      expect(Object.keys(result).sort()).toEqual(["detail", "durationMs", "hint", "id", "status", "title"]);
      expect(Number.isInteger(result.durationMs)).toBe(true);
    }
    expect(results.map((result) => result.hint)).toEqual([null, "set X"]);
    expect(JSON.parse(JSON.stringify(results))).toEqual(results);
  });
});
