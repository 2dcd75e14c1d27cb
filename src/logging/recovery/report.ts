/**
 * What recovering dead processes' journals reports (issue #14, items 3 and 5): per journal, what
 * was delivered, what was not and why (param conflicts, changed artifacts, refusals, damage), and
 * the status the run was given. `mlflow-ts recover` prints it, the background recovery of
 * `startRun` turns each finished journal into one stderr line, and `run.stats().recovered` sums
 * its delivered counts.
 */
import type { JournalDamage, JournalEndStatus } from "../../journal/index.js";

/** Entries delivered (acknowledged by the server) per stream. */
export interface DeliveredCounts {
  metrics: number;
  params: number;
  tags: number;
  artifacts: number;
}

/** A journaled param the run already has with another value: reported, not retried. */
export interface ParamConflict {
  key: string;
  /** The value in the journal. */
  journaled: string;
  /** The value on the server, when it could be read. */
  onServer?: string;
}

/** Entries the server (or the client's own checks) refused for good: reported, then acknowledged. */
export interface Refusal {
  stream: "metric" | "param" | "tag" | "artifact";
  /** Entries refused. */
  count: number;
  /** The server's answer. */
  reason: string;
}

/** A journaled artifact not uploaded because the file changed (or vanished) since it was logged. */
export interface ChangedArtifact {
  localPath: string;
  artifactPath: string;
  /** `changed`: the file differs from the one logged (size, mtime or SHA-256); `missing`: it is gone or unreadable. */
  state: "changed" | "missing";
}

/**
 * A journaled artifact built in memory (`logText`, `logDict`…) not uploaded because its blob in the
 * journal's folder is gone or no longer matches the SHA-256 the journal recorded: never uploaded.
 */
export interface LostBlob {
  /** The artifact file it was to become. */
  artifactFile: string;
  /** SHA-256 of the bytes logged (the blob's name). */
  sha256: string;
  /** `missing`: the blob is gone or unreadable; `damaged`: its size or SHA-256 differ. */
  state: "missing" | "damaged";
  /** What was found. */
  detail: string;
}

/** A model a killed `logModel` left journaled (its folder and files in the journal), and what recovery did with it. */
export interface RecoveredModel {
  /** The logged model's id (MLflow 3), or the name of a model logged as run artifacts (an MLflow 2 server). */
  model: string;
  /** Where its files go: a logged model, or the run's artifacts (MLflow 2). */
  target: "logged-model" | "run-artifacts";
  /**
   * `finished`: its files uploaded and the model finalized as `logModel` would have (READY; on
   * MLflow 2, recorded in the run's `mlflow.log-model.history`); `already-final`: the server had it
   * finished or failed already, left alone; `failed`: a file changed or vanished since it was
   * journaled, or the server refused it: finalized UPLOAD_FAILED (MLflow 3), left partial (MLflow 2).
   */
  outcome: "finished" | "already-final" | "failed";
  /** Why it `failed`, ending in "Fix: …". */
  reason?: string;
}

/** The final status recovery gave the run, or why it left the status alone. */
export interface FinalStatus {
  /** Whether recovery set it. */
  set: boolean;
  /** The status set (the journaled end status, else KILLED), or the one the server already had. */
  status: string;
  /** End time sent, ms since the epoch. */
  endTimeMs?: number;
  /** Why it was not set. */
  reason?: string;
}

/**
 * - `recovered`: everything readable was delivered (or reported), the status settled and the journal removed;
 * - `incomplete`: delivery stopped (server unreachable, deadline, abort, permission): the journal is
 *   kept and the next recovery resumes with what is still unacknowledged;
 * - `abandoned`: the run is gone (deleted, or unknown to the server): nothing can be delivered, the journal was removed;
 * - `skipped`: not claimed (its owner lives, another machine wrote it, another server, or another process claimed it first).
 */
export type RecoveryOutcome = "recovered" | "incomplete" | "abandoned" | "skipped";

/** Why a journal was not claimed. */
export type SkipReason = "live" | "foreign" | "other-server" | "taken" | "not-a-journal";

/** The recovery of one journal. */
export interface JournalRecoveryReport {
  runId: string;
  /** The journal's folder when it was found. */
  path: string;
  /** Where the run is logged, without credentials. */
  trackingUri: string;
  /** The process that wrote the journal. */
  ownerPid: number;
  outcome: RecoveryOutcome;
  /** Set for `skipped`. */
  skipReason?: SkipReason;
  delivered: DeliveredCounts;
  /** Params the server already had with the same value (acknowledged without a request). */
  paramsAlreadyOnServer: number;
  /** Tag writes not sent because a later write of the same key was sent or acknowledged. */
  tagWritesSuperseded: number;
  conflicts: ParamConflict[];
  refused: Refusal[];
  changedArtifacts: ChangedArtifact[];
  /** Artifacts built in memory whose journaled bytes were missing or damaged: reported, never uploaded. */
  lostBlobs: LostBlob[];
  /** Logged models of the run left PENDING by a killed `logModel` that was not journaled, finalized UPLOAD_FAILED (MLflow 3). */
  failedModels: string[];
  /** Models a killed `logModel` journaled: finished, left alone, or failed with the reason. */
  models: RecoveredModel[];
  /** Where reading stopped early (a torn tail, corruption): the entries before it were recovered. */
  damage: JournalDamage[];
  /** Unset when recovery did not get that far. */
  finalStatus?: FinalStatus;
  /** The end status the owner journaled, if it got that far. */
  journaledEndStatus?: JournalEndStatus;
  /** Why the outcome is `incomplete`, `abandoned` or `skipped`, ending in "Fix: …" where there is one. */
  detail?: string;
}

/** What {@link recoverJournals} returns: one report per journal found, oldest first. */
export interface RecoveryReport {
  journals: JournalRecoveryReport[];
}

/** Progress of a recovery, for callers that count or print as it goes. */
export type RecoveryEvent =
  /** A dead journal was claimed and is being replayed. */
  | { type: "claimed"; runId: string; path: string; ownerPid: number }
  /** The server acknowledged a request: `count` entries of `stream` of run `runId`. */
  | { type: "delivered"; runId: string; stream: keyof DeliveredCounts; count: number }
  /** A journal was dealt with (any outcome). */
  | { type: "journal"; report: JournalRecoveryReport };

/** The fields known before a journal is dealt with. */
export type ReportBase = Pick<JournalRecoveryReport, "runId" | "path" | "trackingUri" | "ownerPid">;

/**
 * A report with nothing delivered yet.
 * @example
 * emptyReport({ runId, path, trackingUri, ownerPid: 4242 }, "incomplete", [], undefined).delivered // { metrics: 0, params: 0, tags: 0, artifacts: 0 }
 * @internal
 */
export function emptyReport(
  base: ReportBase,
  outcome: RecoveryOutcome,
  damage: JournalDamage[],
  endStatus: JournalEndStatus | undefined,
): JournalRecoveryReport {
  const report: JournalRecoveryReport = {
    ...base,
    outcome,
    delivered: noDeliveries(),
    paramsAlreadyOnServer: 0,
    tagWritesSuperseded: 0,
    conflicts: [],
    refused: [],
    changedArtifacts: [],
    lostBlobs: [],
    failedModels: [],
    models: [],
    damage,
  };
  if (endStatus !== undefined) report.journaledEndStatus = endStatus;
  return report;
}

/**
 * Zero counts.
 * @example
 * const delivered = noDeliveries(); delivered.metrics += 1000;
 * @internal
 */
export function noDeliveries(): DeliveredCounts {
  return { metrics: 0, params: 0, tags: 0, artifacts: 0 };
}
