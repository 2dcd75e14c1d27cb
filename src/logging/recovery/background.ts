/**
 * The recovery `startRun` starts in the background (issue #14, item 3): once its own run exists, the
 * journals that dead processes left for the same tracking server are delivered without the new run
 * waiting for them. It never throws into the user's code, prints one stderr line per journal it dealt
 * with (none with `MLFLOW_TS_QUIET_RECOVERY=true`), counts what it delivered for `run.stats().recovered`,
 * and never keeps the process alive on its own: its deadline timer is unref'd, and it is stopped
 * when the run that started it ends (by `end()` or by the exit hooks); a journal it was replaying
 * then keeps what is not yet acknowledged, for the next run or `mlflow-ts recover`.
 */
import type { MlflowClient } from "../../client/client.js";
import { QUIET_RECOVERY_ENV } from "../../config/journal-settings.js";
import { messageOf } from "../../core/error-text.js";
import { redact } from "../../core/redact.js";
import { recoveryLine } from "./format.js";
import { recoverJournals } from "./recover.js";
import type { RecoveryEvent } from "./report.js";

/** What {@link BackgroundRecovery} needs. */
export interface BackgroundRecoveryInit {
  client: MlflowClient;
  /** The journals' folder. */
  dir: string;
  /** The run that started it: its entries may be recovered, its status is left alone. */
  runId: string;
  /** Bound of the whole recovery, ms. */
  deadlineMs: number;
  /** No stderr lines. */
  quiet: boolean;
  /** Where lines go. @defaultValue process.stderr */
  write?: ((line: string) => void) | undefined;
}

/**
 * One background recovery.
 * @example
 * const recovery = new BackgroundRecovery({ client, dir, runId: run.runId, deadlineMs: 600_000, quiet: false });
 * run.stats().recovered; // recovery.recovered
 * recovery.stop();        // when the run ends
 * @internal
 */
export class BackgroundRecovery {
  /** Entries delivered so far. */
  recovered = 0;
  /** Settles (never rejects) once the recovery is over. */
  readonly done: Promise<void>;
  readonly #controller = new AbortController();
  readonly #write: (line: string) => void;
  readonly #quiet: boolean;

  constructor(init: BackgroundRecoveryInit) {
    this.#write = init.write ?? ((line) => process.stderr.write(line));
    this.#quiet = init.quiet;
    this.done = this.#run(init);
  }

  /** Stops the recovery: the request in flight is aborted, what is unacknowledged stays journaled. */
  stop(): void {
    this.#controller.abort(new Error("the run that started it ended"));
  }

  async #run(init: BackgroundRecoveryInit): Promise<void> {
    try {
      await recoverJournals({
        client: init.client,
        dir: init.dir,
        signal: this.#controller.signal,
        deadlineMs: init.deadlineMs,
        activeRunIds: [init.runId],
        onEvent: (event) => this.#onEvent(event),
      });
    } catch (error) {
      this.#line(`could not look for journals to recover in ${init.dir}: ${messageOf(error)}`);
    }
  }

  #onEvent(event: RecoveryEvent): void {
    if (event.type === "delivered") this.recovered += event.count;
    else if (event.type === "journal" && event.report.outcome !== "skipped") this.#line(recoveryLine(event.report));
  }

  #line(text: string): void {
    if (!this.#quiet) this.#write(redact(`mlflow-ts: ${text.replace(/\.$/, "")}. Set ${QUIET_RECOVERY_ENV}=true to hide this line.\n`));
  }
}
