/**
 * emqtt-bench's templates: topics with `%i` (the client's sequence number), `%c` (its client
 * id), `%u` (its username) and `%rand_N` (a random number from 1 to N, drawn anew each time),
 * and client ids (`--prefix`, `--shortids`).
 *
 * @module
 */

/**
 * A username as emqtt-bench fills it: `%i` alone is the client's sequence number, `%rand_N` alone
 * a random number from 1 to N; anything else is sent as written.
 *
 * @param template The `-u` value.
 * @param seq The client's sequence number.
 * @returns The username.
 *
 * @example Usage
 * ```ts
 * import { renderUsername } from "./templates.ts";
 * import assert from "node:assert/strict";
 * assert.equal(renderUsername("%i", 7), "7");
 * assert.equal(renderUsername("user_%i", 7), "user_%i");
 * ```
 */
export function renderUsername(template: string | undefined, seq: number): string | undefined {
  if (template === "%i") return String(seq);
  const random = /^%rand_(\d+)$/.exec(template ?? "");
  if (random !== null) return String(1 + Math.floor(Math.random() * Number(random[1])));
  return template;
}

/** What a topic template is filled with. */
export interface TemplateValues {
  /** The client's sequence number (`%i`). */
  seq: number;
  /** The client id (`%c`). */
  clientId: string;
  /** The username (`%u`), empty when none. */
  username?: string;
}

const VARIABLE = /%rand_(\d+)|%[icu]/g;

/**
 * Fills a topic template.
 *
 * @param template Such as `bench/%i`.
 * @param values The client's values.
 * @returns The topic.
 *
 * @example Usage
 * ```ts
 * import { renderTopic } from "./templates.ts";
 * import assert from "node:assert/strict";
 * assert.equal(renderTopic("bench/%i/%c", { seq: 7, clientId: "c7" }), "bench/7/c7");
 * assert.match(renderTopic("t/%rand_10", { seq: 1, clientId: "c" }), /^t\/([1-9]|10)$/);
 * ```
 */
export function renderTopic(template: string, values: TemplateValues): string {
  if (!template.includes("%")) return template;
  return template.replace(VARIABLE, (match, space: string | undefined) => {
    if (space !== undefined) return String(1 + Math.floor(Math.random() * Number(space)));
    if (match === "%i") return String(values.seq);
    if (match === "%c") return values.clientId;
    return values.username ?? "";
  });
}

/**
 * Whether a topic template draws random numbers, so must be filled anew for each message.
 *
 * @param template The template.
 * @returns True when it has `%rand_N`.
 *
 * @example Usage
 * ```ts
 * import { isRandomTopic } from "./templates.ts";
 * import assert from "node:assert/strict";
 * assert.equal(isRandomTopic("t/%rand_5"), true);
 * assert.equal(isRandomTopic("t/%i"), false);
 * ```
 */
export function isRandomTopic(template: string): boolean {
  return /%rand_\d+/.test(template);
}

/** How client ids are made (`--prefix`, `--shortids`). */
export interface ClientIdStyle {
  /** `--prefix`, when given. */
  prefix?: string;
  /** `--shortids`. */
  shortIds: boolean;
  /** The command: conn, pub or sub. */
  kind: string;
  /** A random number shared by the run's clients (emqtt-bench's `$RANDOM`). */
  random: number;
  /** The host name in the default ids. */
  host: string;
}

/**
 * A client id, as emqtt-bench makes it: `HOST_bench_KIND_RANDOM_N` by default,
 * `PREFIX_bench_KIND_N` with `--prefix`, `N` with `--shortids`, `PREFIXN` with both.
 *
 * @param style The run's style.
 * @param seq The client's sequence number (or `%i`, for the ids' pattern).
 * @returns The id.
 *
 * @example Usage
 * ```ts
 * import { clientId } from "./templates.ts";
 * import assert from "node:assert/strict";
 * const style = { shortIds: false, kind: "pub", random: 42, host: "h" };
 * assert.equal(clientId(style, 3), "h_bench_pub_42_3");
 * assert.equal(clientId({ ...style, prefix: "x" }, 3), "x_bench_pub_3");
 * assert.equal(clientId({ ...style, shortIds: true }, 3), "3");
 * assert.equal(clientId(style, "%i"), "h_bench_pub_42_%i");
 * ```
 */
export function clientId(style: ClientIdStyle, seq: number | string): string {
  const prefix = style.prefix ?? "";
  if (style.shortIds) return `${prefix}${seq}`;
  if (prefix !== "") return `${prefix}_bench_${style.kind}_${seq}`;
  return `${style.host}_bench_${style.kind}_${style.random}_${seq}`;
}
