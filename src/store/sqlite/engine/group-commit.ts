/**
 * Group commit for the embedded store: write RPCs that arrive in the same turn of the event loop
 * (the logger's requests in flight, a `Promise.all` of calls) run in one SQLite transaction, each
 * inside its own savepoint. Each RPC stays atomic (a failing one rolls back alone and is rejected),
 * and every promise settles only after the shared commit, so a resolved write is committed. One
 * commit instead of several saves most of the cost of small transactions: each commit rewrites
 * every index page the transaction touched.
 */
import type { Database } from "./database.js";

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Queues write work and commits it in groups.
 * @internal
 */
export class GroupCommit {
  readonly #outer: ReturnType<Database["transaction"]>;
  readonly #savepoint: ReturnType<Database["transaction"]>;
  #pending: Pending[] = [];
  #scheduled = false;

  constructor(db: Database) {
    this.#outer = db.transaction((runAll: () => void) => runAll());
    // A transaction function called inside a transaction runs in a savepoint.
    this.#savepoint = db.transaction((work: () => unknown) => work());
  }

  /** Runs `work` in the next group's transaction; settles after that transaction commits. */
  run(work: () => unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ work, resolve, reject });
      if (this.#scheduled) return;
      this.#scheduled = true;
      setImmediate(() => this.flush());
    });
  }

  /** Commits everything queued now, in one immediate transaction (also called before close). */
  flush(): void {
    this.#scheduled = false;
    const group = this.#pending.splice(0);
    if (group.length === 0) return;
    const outcomes: Outcome[] = [];
    try {
      this.#outer.immediate(() => {
        for (const { work } of group) outcomes.push(attempt(() => this.#savepoint(work)));
      });
    } catch (error) {
      for (const item of group) item.reject(error);
      return;
    }
    group.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }
}

function attempt(work: () => unknown): Outcome {
  try {
    return { ok: true, value: work() };
  } catch (error) {
    return { ok: false, error };
  }
}
