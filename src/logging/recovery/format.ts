/**
 * The words of a recovery report: one line per journal, used both by the background recovery of
 * `startRun` (one stderr line per journal it dealt with) and by `mlflow-ts recover` (the notes under
 * its table). No credential can appear: tracking URIs are stored without them, and callers redact.
 */
import { basename } from "node:path";
import { formatCount } from "../../core/units.js";
import type { ChangedArtifact, DeliveredCounts, JournalRecoveryReport, LostBlob } from "./report.js";

/**
 * What was delivered, e.g. `4,000 metric points, 3 params, 2 tags`; `nothing` when nothing was.
 * @example
 * describeDelivered({ metrics: 4000, params: 3, tags: 0, artifacts: 0 }) // "4,000 metric points, 3 params"
 */
export function describeDelivered(counts: DeliveredCounts): string {
  const parts = [
    counts.metrics > 0 ? formatCount(counts.metrics, "metric point") : "",
    counts.params > 0 ? formatCount(counts.params, "param") : "",
    counts.tags > 0 ? formatCount(counts.tags, "tag") : "",
    counts.artifacts > 0 ? formatCount(counts.artifacts, "artifact") : "",
  ].filter((part) => part !== "");
  return parts.length === 0 ? "nothing" : parts.join(", ");
}

/**
 * What went wrong or was left out, one clause each: conflicts, refusals, changed artifacts, damage.
 * @example
 * recoveryNotes(report) // ["param conflict: lr (journaled 0.2, on the server 0.1)", "torn tail in 00000003.seg at byte 1024"]
 */
export function recoveryNotes(report: JournalRecoveryReport): string[] {
  const notes: string[] = [];
  for (const c of report.conflicts)
    notes.push(
      `param conflict: ${c.key} (journaled ${JSON.stringify(c.journaled)}${c.onServer === undefined ? "" : `, on the server ${JSON.stringify(c.onServer)}`})`,
    );
  for (const r of report.refused) notes.push(`${formatCount(r.count, `${r.stream} entry`, `${r.stream} entries`)} refused: ${r.reason}`);
  for (const a of report.changedArtifacts) notes.push(changedArtifactNote(report.runId, a));
  for (const b of report.lostBlobs) notes.push(lostBlobNote(report.runId, b));
  for (const id of report.failedModels)
    notes.push(`logged model ${id} was left PENDING by a killed logModel and is now UPLOAD_FAILED. Fix: log the model again (run.logModel)`);
  for (const m of report.models) {
    const what = m.target === "logged-model" ? `logged model ${m.model}` : `model ${m.model} of the run's artifacts`;
    if (m.outcome === "finished") notes.push(`${what} left by a killed logModel was uploaded and finished`);
    else if (m.outcome === "failed") notes.push(`${what} left by a killed logModel was not finished: ${m.reason ?? "failed"}`);
  }
  for (const d of report.damage)
    notes.push(`${d.reason === "truncated" ? "torn tail" : `damage (${d.reason})`} in ${d.file} at byte ${d.offset}; entries before it were recovered`);
  return notes;
}

/**
 * Why a journaled artifact was not uploaded, and the fix.
 * @example
 * changedArtifactNote("5f3c…", { localPath: "/job/model.onnx", artifactPath: "model", state: "changed" })
 * // "artifact model/model.onnx not uploaded: /job/model.onnx changed since it was logged (…). Fix: …"
 */
export function changedArtifactNote(runId: string, artifact: ChangedArtifact): string {
  const name = artifact.artifactPath === "" ? basename(artifact.localPath) : `${artifact.artifactPath}/${basename(artifact.localPath)}`;
  const why =
    artifact.state === "missing"
      ? `${artifact.localPath} no longer exists (or cannot be read)`
      : `${artifact.localPath} changed since it was logged (size, mtime or SHA-256 differ), so the bytes logged are gone`;
  const command = `npx mlflow-ts upload ${runId} ${artifact.localPath}${artifact.artifactPath === "" ? "" : ` --artifact-path ${artifact.artifactPath}`}`;
  return `artifact ${name} not uploaded: ${why}. Fix: if the file now holds what the run should have, upload it with \`${command}\``;
}

/**
 * Why a journaled artifact built in memory was not uploaded, and the fix.
 * @example
 * lostBlobNote("5f3c…", { artifactFile: "eval/summary.json", sha256: "2cf2…", state: "damaged", detail: "…/blobs/2cf2… holds 3 bytes, the journal recorded 5" })
 * // "artifact eval/summary.json not uploaded: its bytes kept in the journal are damaged (…). Fix: …"
 */
export function lostBlobNote(runId: string, blob: LostBlob): string {
  return `artifact ${blob.artifactFile} not uploaded: its bytes kept in the journal are ${blob.state} (${blob.detail}), so nothing was uploaded in their place. Fix: log it again for run ${runId} (e.g. \`run.logText(…, "${blob.artifactFile}")\` after \`startRun({ runId: "${runId}" })\`), or upload the file with \`npx mlflow-ts upload ${runId} <file>\``;
}

/**
 * One line for a journal dealt with (without the `mlflow-ts: ` prefix).
 * @example
 * recoveryLine(report) // "recovered run 5f3c… left by process 4242: 4,000 metric points, 3 params delivered; run set KILLED"
 */
export function recoveryLine(report: JournalRecoveryReport): string {
  const what = `run ${report.runId} left by process ${report.ownerPid}`;
  const notes = recoveryNotes(report);
  const tail = notes.length === 0 ? "" : `; ${notes.join("; ")}`;
  switch (report.outcome) {
    case "recovered": {
      const status = report.finalStatus?.set
        ? `run set ${report.finalStatus.status}`
        : `status left ${report.finalStatus?.status ?? "unchanged"} (${report.finalStatus?.reason ?? "not read"})`;
      return `recovered ${what}: ${describeDelivered(report.delivered)} delivered; ${status}${tail}`;
    }
    case "incomplete":
      return `could not finish recovering ${what} (${describeDelivered(report.delivered)} delivered so far): ${report.detail ?? "stopped"}${tail}`;
    case "abandoned":
      return `gave up on the journal of ${what}: ${report.detail ?? "the run is gone"}`;
    default:
      return `left the journal of ${what} alone: ${report.detail ?? report.skipReason ?? "skipped"}`;
  }
}
