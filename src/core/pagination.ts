/**
 * Paged results: a {@link PagePromise} is awaited for the first page, or iterated with
 * `for await` across every page, following `next_page_token` until the server sends none.
 */
import { MlflowError } from "./errors.js";

/** One page of results. */
export interface Page<T> {
  /** The items of this page. */
  items: T[];
  /** Token of the next page; `undefined` on the last page. */
  nextPageToken: string | undefined;
}

/** Fetches the page that starts at `pageToken` (the first page when `undefined`). @internal */
export type PageFetcher<T> = (pageToken: string | undefined) => Promise<Page<T>>;

/**
 * A search result: `await` it for the first page, `for await` it for every item of every page,
 * or call {@link PagePromise.pages} for the pages themselves. Nothing is fetched until one of
 * these is used.
 *
 * @example
 * const first = await client.runs.search({ experiment_ids: ["1"] });      // one page
 * for await (const run of client.runs.search({ experiment_ids: ["1"] })) {} // all runs
 */
export class PagePromise<T> implements PromiseLike<Page<T>>, AsyncIterable<T> {
  readonly #fetch: PageFetcher<T>;
  readonly #startToken: string | undefined;
  #first: Promise<Page<T>> | undefined;

  /** @internal */
  constructor(fetch: PageFetcher<T>, startToken?: string) {
    this.#fetch = fetch;
    this.#startToken = startToken;
  }

  then<A = Page<T>, B = never>(
    onFulfilled?: ((page: Page<T>) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#firstPage().then(onFulfilled, onRejected);
  }

  /** Like `Promise.prototype.catch`, on the first page. */
  catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<Page<T> | B> {
    return this.#firstPage().catch(onRejected);
  }

  /** Like `Promise.prototype.finally`, on the first page. */
  finally(onFinally?: (() => void) | null): Promise<Page<T>> {
    return this.#firstPage().finally(onFinally);
  }

  /**
   * Every page in order, starting with the first.
   * @throws {MlflowError} when the server hands out a page token it gave before (a server bug that
   *   would otherwise loop forever, e.g. get-history without `max_results` on MLflow 3.4+).
   */
  async *pages(): AsyncGenerator<Page<T>> {
    let page = await this.#firstPage();
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
   * Collects items across pages, stopping at `limit`.
   * @param limit - Maximum number of items to collect; required so that a huge result set is a
   *   decision, not an accident.
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

  #firstPage(): Promise<Page<T>> {
    this.#first ??= this.#fetch(this.#startToken);
    return this.#first;
  }
}
