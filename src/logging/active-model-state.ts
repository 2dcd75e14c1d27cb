/**
 * Where the active model is kept (see `active-model.ts`), apart from the functions that set it, so
 * that `ActiveRun.logMetric` can read it without an import cycle. Reading it is a field read, plus
 * an AsyncLocalStorage lookup only once `withActiveModel` has been used: it is on the hot path.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** The active model of the process, and of `withActiveModel` scopes. @internal */
export const activeModelState = {
  processModelId: undefined as string | undefined,
  scoped: new AsyncLocalStorage<string | undefined>(),
  /** Whether `withActiveModel` was ever called (until then no scope can hold a model). */
  scopedUsed: false,
};

/**
 * The active model's id (a `withActiveModel` scope's, else the process's), `undefined` when none is set.
 * @example
 * const modelId = getActiveModelId();
 */
export function getActiveModelId(): string | undefined {
  if (activeModelState.scopedUsed) {
    const scopedId = activeModelState.scoped.getStore();
    if (scopedId !== undefined) return scopedId;
  }
  return activeModelState.processModelId;
}
