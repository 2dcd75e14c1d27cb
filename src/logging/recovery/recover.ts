/**
 * `recoverJournals`: delivers what dead processes journaled but the server never acknowledged
 * (issue #14, item 3), following docs/journal.md's recovery protocol: list the journals of a cache
 * folder, claim each one whose owner is dead and that was logged to this client's tracking server,
 * replay it exactly once (see replay.ts), set the run's final status, remove it. Journals of live
 * processes are never touched; two processes recovering at once never replay the same journal (the
 * claim is an atomic rename); a recovering process that dies leaves the journal claimable again.
 *
 * Bounded: every call keeps the client's per-attempt timeout and stops at the recovery's deadline
 * (`deadlineMs`, counted from the call), and `signal` stops everything at once.
 */
import type { MlflowClient } from "../../client/client.js";
import { messageOf } from "../../core/error-text.js";
import { Journal, type JournalListing, listJournals, publicTrackingUri } from "../../journal/index.js";
import { replayJournal } from "./replay.js";
import { emptyReport, type JournalRecoveryReport, type RecoveryEvent, type RecoveryReport, type ReportBase, type SkipReason } from "./report.js";

/** Default bound of a whole recovery: 10 minutes. */
export const DEFAULT_RECOVERY_DEADLINE_MS = 600_000;

/** Options of {@link recoverJournals}. */
export interface RecoverJournalsOptions {
  /** The client to deliver with; only journals logged to its tracking URI are recovered. */
  client: MlflowClient;
  /** The journals' folder (`resolveJournalOptions(...).dir`). */
  dir: string;
  /** Stops the recovery; the journal being replayed keeps what is not yet acknowledged. */
  signal?: AbortSignal | undefined;
  /** Bound of the whole recovery, ms. @defaultValue 600000 (10 min) */
  deadlineMs?: number | undefined;
  /** Also recover journals written on another machine or container (their owner cannot be checked from here). @defaultValue false */
  force?: boolean | undefined;
  /** Runs this process is logging to: delivered, but their status is left alone. */
  activeRunIds?: Iterable<string> | undefined;
  /** Progress: each claim, each acknowledged request, each journal dealt with. A listener that throws is ignored. */
  onEvent?: ((event: RecoveryEvent) => void) | undefined;
}

/**
 * Recovers the journals of dead processes in `dir` logged to `client`'s tracking server. Journals
 * of live processes, of other servers or of other machines are reported as `skipped`.
 *
 * @throws the file system's error when `dir` exists but cannot be read; every other failure is in
 *   the report (a journal whose delivery stopped is `incomplete` and kept for the next recovery).
 * @example
 * const { journals } = await recoverJournals({ client, dir: resolveJournalOptions({}, process.env).dir });
 * for (const j of journals) console.log(j.runId, j.outcome, j.delivered, j.finalStatus);
 */
export async function recoverJournals(options: RecoverJournalsOptions): Promise<RecoveryReport> {
  const deadlineMs = options.deadlineMs ?? DEFAULT_RECOVERY_DEADLINE_MS;
  const startedAtMs = Date.now();
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener("abort", onAbort, { once: true });
  // Unref'd: a recovery never keeps a process alive by its timer.
  const timer = setTimeout(() => controller.abort(new Error(`the recovery deadline of ${deadlineMs} ms passed`)), deadlineMs).unref();
  const emit = (event: RecoveryEvent): void => {
    try {
      options.onEvent?.(event);
    } catch {
      // A listener's bug must not stop delivery.
    }
  };
  try {
    const listings = await listJournals(options.dir);
    const uri = publicTrackingUri(options.client.trackingUri);
    const activeRunIds = new Set(options.activeRunIds ?? []);
    for (const listing of listings) if (listing.owner.state === "live") activeRunIds.add(listing.runId);
    const journals: JournalRecoveryReport[] = [];
    const context: OneContext = { ...options, uri, signal: controller.signal, deadlineAtMs: startedAtMs + deadlineMs, activeRunIds, emit };
    for (const listing of listings) {
      if (controller.signal.aborted) break;
      const report = await recoverOne(listing, context);
      journals.push(report);
      emit({ type: "journal", report });
    }
    return { journals };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}

interface OneContext {
  client: MlflowClient;
  uri: string;
  force?: boolean | undefined;
  signal: AbortSignal;
  deadlineAtMs: number;
  activeRunIds: ReadonlySet<string>;
  emit: (event: RecoveryEvent) => void;
}

async function recoverOne(listing: JournalListing, context: OneContext): Promise<JournalRecoveryReport> {
  const base = { runId: listing.runId, path: listing.path, trackingUri: listing.trackingUri, ownerPid: listing.owner.pid };
  if (listing.owner.state === "live") return skipped(listing, base, "live", `process ${listing.owner.pid} is still logging to it.`);
  if (listing.trackingUri !== "" && publicTrackingUri(listing.trackingUri) !== context.uri) {
    return skipped(
      listing,
      base,
      "other-server",
      `it was logged to ${listing.trackingUri}, not ${context.uri}. Fix: run \`MLFLOW_TRACKING_URI=${listing.trackingUri} mlflow-ts recover\` (with that server's credentials).`,
    );
  }
  if (listing.owner.state === "foreign" && !context.force) {
    return skipped(
      listing,
      base,
      "foreign",
      `it was written on another machine or container (${listing.owner.host ?? "unknown host"}), whose processes cannot be checked from here. Fix: once that process is surely gone, run \`mlflow-ts recover --force\`.`,
    );
  }
  let claim: Awaited<ReturnType<typeof Journal.claim>>;
  try {
    claim = await Journal.claim(listing.path, { force: context.force ?? false });
  } catch (error) {
    // Not skipped on purpose: the folder could not be renamed or read (permissions, disk).
    return { ...emptyReport(base, "incomplete", listing.damage, listing.endStatus), detail: `it could not be claimed: ${messageOf(error)}` };
  }
  if (!claim.claimed) return skipped(listing, base, claim.reason, `${claim.detail}.`);
  context.emit({ type: "claimed", runId: base.runId, path: base.path, ownerPid: base.ownerPid });
  return replayJournal(claim, base, {
    client: context.client,
    signal: context.signal,
    deadlineAtMs: context.deadlineAtMs,
    activeRunIds: context.activeRunIds,
    onEvent: context.emit,
  });
}

function skipped(listing: JournalListing, base: ReportBase, reason: SkipReason, detail: string): JournalRecoveryReport {
  return { ...emptyReport(base, "skipped", listing.damage, listing.endStatus), skipReason: reason, detail };
}
