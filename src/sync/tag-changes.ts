/**
 * What to write so that a copy's tags follow its source's after the copy was made: the tags to set
 * (new at the source, or with another value) and, where the sync owns the copy's tags, the tags to
 * delete (gone at the source). Used for model versions, logged models and registered models.
 */
import type { KeyValue } from "../protocol/entities/tracking.js";

/** Tags to set on a copy, and tag keys to delete from it. */
export interface TagChanges {
  set: KeyValue[];
  remove: string[];
}

/**
 * Compares the source's tags with the copy's, both limited to the keys `copied` accepts (the others,
 * bookkeeping tags for one, are never set nor deleted).
 *
 * @param deleteRemoved - Delete the copy's tags that the source does not have. @defaultValue true
 * @example
 * tagChanges([{ key: "a", value: "2" }], [{ key: "a", value: "1" }, { key: "b", value: "x" }], () => true);
 * // { set: [{ key: "a", value: "2" }], remove: ["b"] }
 */
export function tagChanges(source: readonly KeyValue[], copy: readonly KeyValue[], copied: (key: string) => boolean, deleteRemoved = true): TagChanges {
  const have = new Map(copy.filter((tag) => copied(tag.key)).map((tag) => [tag.key, tag.value]));
  const want = source.filter((tag) => copied(tag.key));
  const wanted = new Set(want.map((tag) => tag.key));
  return {
    set: want.filter((tag) => have.get(tag.key) !== tag.value),
    remove: deleteRemoved ? [...have.keys()].filter((key) => !wanted.has(key)) : [],
  };
}

/** Whether there is anything to write. */
export function hasTagChanges(changes: TagChanges): boolean {
  return changes.set.length > 0 || changes.remove.length > 0;
}
