/**
 * Runs check definitions in order: a check whose prerequisite failed (or could not run) is
 * skipped with the reason, a check that throws or outlives its budget fails instead of crashing
 * the report, and every detail and hint is redacted.
 */

import { messageOf } from "../core/error-text.js";
import { redact } from "../core/redact.js";
import { LinkedAbort } from "../core/signals.js";
import { formatSeconds } from "../core/units.js";
import type { CheckId, CheckResult, CheckStatus } from "./types.js";

/** What a check reports; the runner adds id, title and duration. */
export interface CheckOutcome {
  status: CheckStatus;
  detail: string;
  hint?: string;
}

/**
 * One check: what it needs, and how it runs.
 * @internal
 */
export interface CheckDefinition<C> {
  id: CheckId;
  title: string;
  /** Checks that must not have failed (or been blocked) for this one to run. A skip that means "not applicable" does not block. */
  needs: readonly CheckId[];
  /**
   * Most network calls the check makes one after the other. Its budget is that many call
   * timeouts plus {@link BUDGET_SLACK_MS}; past it the check fails and its calls are aborted.
   */
  calls: number;
  run(context: C, signal: AbortSignal): Promise<CheckOutcome>;
}

/** Time a check may spend besides its network calls: 2 s. */
export const BUDGET_SLACK_MS = 2_000;

/** Options of {@link runChecks}. @internal */
export interface RunOptions {
  /** Timeout of one network call, in ms: sets each check's budget. */
  callTimeoutMs: number;
  signal?: AbortSignal;
  onCheck?: (result: CheckResult) => void;
}

/** A passing outcome. @internal */
export const pass = (detail: string): CheckOutcome => ({ status: "pass", detail });
/** A warning: works, but something deserves attention. @internal */
export const warn = (detail: string, hint?: string): CheckOutcome => ({ status: "warn", detail, hint });
/** A failure, with the fix. @internal */
export const fail = (detail: string, hint: string): CheckOutcome => ({ status: "fail", detail, hint });
/** Not applicable to this setup (does not block the checks that need this one). @internal */
export const notApplicable = (detail: string): CheckOutcome => ({ status: "skip", detail });

/**
 * Runs `definitions` one after the other against `context`.
 *
 * @returns One result per definition, in order.
 * @example
 * const results = await runChecks([configCheck, reachableCheck], context, { callTimeoutMs: 5000, onCheck: print });
 * @internal
 */
export async function runChecks<C>(definitions: readonly CheckDefinition<C>[], context: C, options: RunOptions): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const titles = new Map(definitions.map((definition) => [definition.id, definition.title]));
  /** Check id → the failed check that stops it (itself when it failed). */
  const blockedBy = new Map<CheckId, CheckId>();
  for (const definition of definitions) {
    const blocker = definition.needs.find((need) => blockedBy.has(need));
    const result = blocker
      ? skipped(definition, blockReason(titles, blocker, blockedBy.get(blocker)!))
      : options.signal?.aborted
        ? skipped(definition, "Skipped: the check was aborted.")
        : await runOne(definition, context, definition.calls * options.callTimeoutMs + BUDGET_SLACK_MS, options.signal);
    if (blocker) blockedBy.set(definition.id, blockedBy.get(blocker)!);
    else if (result.status === "fail") blockedBy.set(definition.id, definition.id);
    results.push(result);
    options.onCheck?.(result);
  }
  return results;
}

async function runOne<C>(definition: CheckDefinition<C>, context: C, budgetMs: number, signal: AbortSignal | undefined): Promise<CheckResult> {
  const started = performance.now();
  const budget = new LinkedAbort(signal);
  budget.abortAfter(budgetMs, "deadline");
  let expired: () => void = () => undefined;
  const overtime = new Promise<CheckOutcome>((resolve) => {
    expired = () => resolve(outOfTime(budgetMs, budget.cause));
    budget.signal.addEventListener("abort", expired, { once: true });
  });
  try {
    const outcome = await Promise.race([definition.run(context, budget.signal).catch((error: unknown) => crashed(error, budget.cause, budgetMs)), overtime]);
    return toResult(definition, outcome, performance.now() - started);
  } finally {
    budget.signal.removeEventListener("abort", expired);
    budget.dispose();
  }
}

function outOfTime(budgetMs: number, cause: string | undefined): CheckOutcome {
  if (cause === "user") return { status: "skip", detail: "Skipped: the check was aborted." };
  return fail(
    `Did not finish within ${formatSeconds(budgetMs)}.`,
    "A server accepts connections but answers very slowly or not at all: check the addresses in MLFLOW_TRACKING_URI and MLFLOW_S3_ENDPOINT_URL, and any HTTP proxy (HTTP_PROXY, NO_PROXY).",
  );
}

/** A check that threw is a bug in the check, not in the setup: report it without crashing. */
function crashed(error: unknown, cause: string | undefined, budgetMs: number): CheckOutcome {
  if (cause !== undefined) return outOfTime(budgetMs, cause);
  const message = messageOf(error);
  return fail(`Unexpected error: ${message}`, "This looks like a bug in mlflow-ts: please report it with the output of `mlflow-ts doctor --json`.");
}

function toResult<C>(definition: CheckDefinition<C>, outcome: CheckOutcome, durationMs: number): CheckResult {
  return {
    id: definition.id,
    title: definition.title,
    status: outcome.status,
    detail: redact(outcome.detail),
    hint: outcome.hint === undefined ? null : redact(outcome.hint),
    durationMs: Math.round(durationMs),
  };
}

function skipped<C>(definition: CheckDefinition<C>, detail: string): CheckResult {
  return { id: definition.id, title: definition.title, status: "skip", detail, hint: null, durationMs: 0 };
}

function blockReason(titles: Map<CheckId, string>, need: CheckId, root: CheckId): string {
  if (need === root) return `Skipped: needs "${titles.get(need)}", which failed.`;
  return `Skipped: needs "${titles.get(need)}", which could not run because "${titles.get(root)}" failed.`;
}
