/**
 * Test set-up (unit and integration projects): the logger journals every tracking-server run by default (docs/journal.md), so
 * each test worker gets its own journal folder instead of the user's ~/.cache, removed at the end.
 * A test that needs another folder sets MLFLOW_TS_JOURNAL_DIR or the `journalDir` option itself.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "mlflow-ts-unit-journal-"));
process.env.MLFLOW_TS_JOURNAL_DIR ??= dir;
// Retried: a run's background recovery (or a journal still closing) may add a file while the folder
// is being removed, which fails one pass with ENOTEMPTY (seen once in CI after logger-refusals.test).
afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }));
