// Topic name and topic filter rules (MQTT 5.0 §4.7, §4.8.2), shared by encoder and decoder.

const HASH = 0x23;
const PLUS = 0x2b;
const SLASH = 0x2f;

/** Whether a topic name holds a wildcard character, which PUBLISH and wills forbid. */
export function hasWildcard(topic: string): boolean {
  return topic.indexOf("+") !== -1 || topic.indexOf("#") !== -1;
}

/** Whether a filter is a shared subscription (`$share/{name}/{filter}`, MQTT 5 only). */
export function isShared(filter: string): boolean {
  return filter.startsWith("$share/");
}

/**
 * What is wrong with a topic filter, or `undefined` when it is valid. Shared subscriptions are
 * checked only in MQTT 5, where they exist.
 */
export function filterProblem(filter: string, v5: boolean): string | undefined {
  const n = filter.length;
  if (n === 0) return "a topic filter must not be empty";
  for (let i = 0; i < n; i++) {
    const c = filter.charCodeAt(i);
    if (c === HASH) {
      if (i !== n - 1) return `'#' must be the last character of "${filter}"`;
      if (i > 0 && filter.charCodeAt(i - 1) !== SLASH) {
        return `'#' must occupy a whole level of "${filter}"`;
      }
    } else if (c === PLUS) {
      if (
        (i > 0 && filter.charCodeAt(i - 1) !== SLASH) ||
        (i < n - 1 && filter.charCodeAt(i + 1) !== SLASH)
      ) {
        return `'+' must occupy a whole level of "${filter}"`;
      }
    }
  }
  if (v5 && isShared(filter)) {
    const slash = filter.indexOf("/", 7);
    const name = slash === -1 ? filter.slice(7) : filter.slice(7, slash);
    if (name.length === 0 || hasWildcard(name)) {
      return `invalid share name in "${filter}"`;
    }
    if (slash === -1 || slash === n - 1) return `shared subscription "${filter}" has no filter`;
  }
  return undefined;
}
