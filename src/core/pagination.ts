/**
 * Paged results. MLflow's list and search endpoints answer one page at a time; a {@link Paginated}
 * is what every paged method returns, and awaiting it gives **every** item, never one page that
 * could be mistaken for the whole (`await client.metrics.getHistory(…)` once returned the first 500
 * of 2,000 points). One page is an explicit choice: {@link Paginated.firstPage} or
 * {@link Paginated.pages}. Awaiting holds everything in memory, so it stops with a
 * {@link TooManyItemsError} past a bound instead of growing until the process dies; `for await`
 * holds one page at a time and has no bound.
 */
import { MlflowError, ValidationError } from "./errors.js";

/**
 * Most items `await` (and `Paginated.all()`) collects before it stops with a
 * {@link TooManyItemsError}: 1,000,000 (a million-point metric history is about 100 MB of objects).
 */
export const DEFAULT_MAX_ITEMS = 1_000_000;

/** One page of results. */
export interface Page<T> {
  /** The items of this page. */
  items: T[];
  /** Token of the next page (pass it as `page_token` to resume); `undefined` on the last page. */
  nextPageToken: string | undefined;
}

/** Fetches the page that starts at `pageToken` (the first page when `undefined`). @internal */
export type PageFetcher<T> = (pageToken: string | undefined) => Promise<Page<T>>;

/** Options of {@link Paginated.all}. */
export interface AllOptions {
  /**
   * Most items to collect; one more stops the reading with a {@link TooManyItemsError} (nothing is
   * cut silently). @defaultValue 1000000 ({@link DEFAULT_MAX_ITEMS})
   */
  maxItems?: number | undefined;
}

/**
 * Awaiting a paged call would have collected more items than its bound; it stopped reading
 * instead of holding them all in memory.
 */
export class TooManyItemsError extends MlflowError {
  /** The bound that was passed. */
  readonly maxItems: number;

  constructor(maxItems: number) {
    super(
      `The result has more than ${maxItems} items, too many to collect into one array (awaiting a paged call collects every page). ` +
        "Fix: iterate with `for await (const item of …)`, which holds one page at a time, or call `.all({ maxItems })` with a larger bound.",
    );
    this.maxItems = maxItems;
  }
}

/**
 * The result of a paged method (searches, metric histories, webhook lists). Nothing is fetched
 * until it is used:
 *
 * - `await` it (or call {@link Paginated.all}) for **every** item of every page, as one array;
 * - `for await` it for every item, one page in memory at a time (any size);
 * - {@link Paginated.firstPage} for one page and its `nextPageToken`, {@link Paginated.pages} for
 *   the pages themselves, {@link Paginated.toArray} for at most `limit` items.
 *
 * Page tokens are followed until the server sends none; a token the server repeats stops the
 * reading with an error instead of looping.
 *
 * @example
 * const history = await client.metrics.getHistory(runId, "loss");           // every point
 * for await (const run of client.runs.search({ experiment_ids: ["1"] })) {} // every run, page by page
 * const { items, nextPageToken } = await client.runs.search({ experiment_ids: ["1"], max_results: 50 }).firstPage();
 */
export class Paginated<T> implements PromiseLike<T[]>, AsyncIterable<T> {
  readonly #fetch: PageFetcher<T>;
  readonly #startToken: string | undefined;
  #first: Promise<Page<T>> | undefined;

  /** @internal */
  constructor(fetch: PageFetcher<T>, startToken?: string) {
    this.#fetch = fetch;
    this.#startToken = startToken;
  }

  /** Awaiting gives every item of every page, as {@link Paginated.all} with its default bound. */
  // biome-ignore lint/suspicious/noThenProperty: a PagePromise is a thenable on purpose (`await client.runs.search(…)`)
  then<A = T[], B = never>(
    onFulfilled?: ((items: T[]) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.all().then(onFulfilled, onRejected);
  }

  /** Like `Promise.prototype.catch`, on every item. */
  catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<T[] | B> {
    return this.all().catch(onRejected);
  }

  /** Like `Promise.prototype.finally`, on every item. */
  finally(onFinally?: (() => void) | null): Promise<T[]> {
    return this.all().finally(onFinally);
  }

  /**
   * Every item of every page, in order.
   * @param options - `maxItems`: the bound, 1,000,000 by default.
   * @throws {TooManyItemsError} as soon as there are more than `maxItems` items (the rest is not fetched).
   * @throws {ValidationError} when `maxItems` is not a whole number of at least 1.
   * @throws {MlflowError} when the server repeats a page token.
   * @example
   * const runs = await client.runs.search({ experiment_ids: ["1"] }).all({ maxItems: 5_000_000 });
   */
  async all(options: AllOptions = {}): Promise<T[]> {
    const maxItems = options.maxItems ?? DEFAULT_MAX_ITEMS;
    if (!Number.isSafeInteger(maxItems) || maxItems < 1) {
      throw new ValidationError(
        "maxItems",
        "max-items",
        `maxItems must be a whole number of at least 1, got ${String(maxItems)}. Fix: pass a positive bound, or leave it out for ${DEFAULT_MAX_ITEMS}.`,
      );
    }
    const out: T[] = [];
    for await (const page of this.pages()) {
      if (out.length + page.items.length > maxItems) throw new TooManyItemsError(maxItems);
      for (const item of page.items) out.push(item);
    }
    return out;
  }

  /**
   * The first page (the one `page_token` names, if given) and the token of the next one.
   * @example
   * const page = await client.experiments.search({ max_results: 100 }).firstPage();
   * if (page.nextPageToken) await client.experiments.search({ max_results: 100, page_token: page.nextPageToken }).firstPage();
   */
  firstPage(): Promise<Page<T>> {
    this.#first ??= this.#fetch(this.#startToken);
    return this.#first;
  }

  /**
   * Every page in order, starting with the first.
   * @throws {MlflowError} when the server hands out a page token it gave before (a server bug that
   *   would otherwise loop forever, e.g. get-history without `max_results` on MLflow 3.4+).
   */
  async *pages(): AsyncGenerator<Page<T>> {
    let page = await this.firstPage();
    const seen = new Set<string>(this.#startToken ? [this.#startToken] : []);
    yield page;
    while (page.nextPageToken) {
      if (seen.has(page.nextPageToken)) {
        throw new MlflowError(`The server returned the page token "${page.nextPageToken}" twice; stopping to avoid an endless loop.`);
      }
      seen.add(page.nextPageToken);
      page = await this.#fetch(page.nextPageToken);
      yield page;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for await (const page of this.pages()) yield* page.items;
  }

  /**
   * At most `limit` items, fetching no more pages than needed.
   * @param limit - Most items to return; required, so that cutting a result short is a decision.
   * @example
   * const latest = await client.runs.search({ experiment_ids: ["1"], order_by: ["start_time DESC"] }).toArray(10);
   */
  async toArray(limit: number): Promise<T[]> {
    const out: T[] = [];
    if (!(limit > 0)) return out;
    for await (const item of this) {
      out.push(item);
      if (out.length >= limit) break;
    }
    return out;
  }
}
