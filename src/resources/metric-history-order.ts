/**
 * A metric history read in one answer, put in the order and pages MLflow 3.1+ gives. Before 3.1
 * the server's `metrics/get-history` ignores `max_results` and `page_token`: it answers the whole
 * history at once, in the database's order (no `ORDER BY`), so points with the same timestamp come
 * back in any order and `pageSize` means nothing. From 3.1 the server orders by timestamp, step and
 * value and pages. A first page without a next-page token is the whole history on every version,
 * so sorting it the server's way is exact on an old server and changes nothing on a new one; when
 * it holds more than `pageSize` points (only an old server sends that), it is handed out in pages
 * of `pageSize` from memory, with tokens that never reach the server. See docs/compatibility.md.
 */
import type { Page, PageFetcher } from "../core/pagination.js";
import type { Metric } from "../protocol/entities/tracking.js";

/** Prefix of the page tokens of a history split in memory; the server's tokens never start with it. */
const LOCAL_TOKEN_PREFIX = "mlflow-ts-local-offset:";

/**
 * The server's order: timestamp, step, then value, with NaN as the 0 the SQL store keeps for it.
 * @internal
 */
export function compareMetricPoints(a: Metric, b: Metric): number {
  return a.timestamp - b.timestamp || a.step - b.step || storedValue(a.value) - storedValue(b.value);
}

function storedValue(value: number): number {
  return Number.isNaN(value) ? 0 : value;
}

/**
 * Wraps the server's page fetcher of one history: a whole history answered at once is sorted (see
 * {@link compareMetricPoints}) and served `pageSize` points at a time; paged answers pass through.
 * @example
 * new Paginated(wholeHistoryPages(fetchFromServer, 25_000));
 * @internal
 */
export function wholeHistoryPages(fetchPage: PageFetcher<Metric>, pageSize: number): PageFetcher<Metric> {
  let whole: Metric[] | undefined;
  const slice = (offset: number): Page<Metric> => {
    const points = whole ?? [];
    const end = offset + pageSize;
    return { items: points.slice(offset, end), nextPageToken: end < points.length ? `${LOCAL_TOKEN_PREFIX}${end}` : undefined };
  };
  return async (token) => {
    if (token?.startsWith(LOCAL_TOKEN_PREFIX)) return slice(Number(token.slice(LOCAL_TOKEN_PREFIX.length)));
    const page = await fetchPage(token);
    if (token !== undefined || page.nextPageToken !== undefined) return page;
    whole = page.items.sort(compareMetricPoints);
    return slice(0);
  };
}
