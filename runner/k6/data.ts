/**
 * The `k6/data` module: `SharedArray`, built once per Worker by its first VU and shared,
 * read-only, by the others.
 *
 * @example Usage
 * ```ts ignore
 * import { SharedArray } from "k6/data";
 * const topics = new SharedArray("topics", () => JSON.parse(open("./topics.json")));
 * ```
 *
 * @module
 */

import { currentVu } from "../worker/vu_context.ts";

/** A read-only array shared by the VUs of a Worker (k6 shares it by the process). */
export class SharedArray<T> {
  /**
   * Returns the Worker's array named `name`, building it with `build` the first time.
   *
   * @param name The array's name.
   * @param build Returns the array (init context).
   * @throws {TypeError} When `build` does not return an array, or outside the init context.
   */
  constructor(name: string, build: () => T[]) {
    const vu = currentVu("new SharedArray()");
    if (vu.phase !== "init") {
      throw new TypeError("SharedArray can only be created in the init context");
    }
    let data = vu.services.sharedArrays.get(name) as T[] | undefined;
    if (data === undefined) {
      data = build();
      if (!Array.isArray(data)) {
        throw new TypeError(`SharedArray "${name}": the function must return an array`);
      }
      data = Object.freeze(data.map((item) => deepFreeze(item))) as T[];
      vu.services.sharedArrays.set(name, data);
    }
    // Behave as an array: index access, length, iteration, array methods.
    return data as unknown as SharedArray<T>;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export default { SharedArray };
