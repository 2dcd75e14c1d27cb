/** Reading every page of a search into one array. */
import type { PagePromise } from "../core/pagination.js";

/**
 * Every item of every page.
 * @example
 * const models = await collectAll(client.loggedModels.search({ experiment_ids: ["1"] }));
 */
export async function collectAll<T>(pages: PagePromise<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of pages) items.push(item);
  return items;
}
