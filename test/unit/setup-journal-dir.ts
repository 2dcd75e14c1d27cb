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
afterAll(() => rmSync(dir, { recursive: true, force: true }));
