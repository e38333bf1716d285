/**
 * Text helpers of the HTML report: escaping, secret redaction, number formats.
 *
 * @module
 */

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Keys whose values are secrets: passwords, tokens, keys, credentials, cookies. */
const SECRET_KEY =
  /pass(word|phrase|wd)?$|^pwd$|secret|token|api[-_]?key|^auth(orization)?$|credential|private[-_]?key|^key$|cookie/i;

/** Replacement for a redacted value. */
export const REDACTED = "[redacted]";

/**
 * A JSON-safe deep copy of `value` with secrets replaced by {@linkcode REDACTED}:
 * values under password-, token-, key- or credential-like keys, and the
 * password of `scheme://user:password@host` URLs in any string. Functions
 * become `"[function]"`, cycles `"[circular]"`, bigints strings.
 */
export function redactSecrets(value: unknown): unknown {
  const seen = new WeakSet<object>();
  const walk = (v: unknown, key: string): unknown => {
    if (key !== "" && SECRET_KEY.test(key) && v !== undefined && v !== null && v !== "") {
      return REDACTED;
    }
    if (typeof v === "string") return v.replace(/(\/\/[^/:@\s]*:)[^@/\s]*@/g, `$1${REDACTED}@`);
    if (typeof v === "bigint") return String(v);
    if (typeof v === "function") return "[function]";
    if (typeof v !== "object" || v === null) return v;
    if (seen.has(v)) return "[circular]";
    seen.add(v);
    let out: unknown;
    if (Array.isArray(v)) out = v.map((item) => walk(item, ""));
    else if (v instanceof Uint8Array) out = `[${v.byteLength} bytes]`;
    else {
      const o: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) {
        const w = walk(item, k);
        if (w !== undefined) o[k] = w;
      }
      out = o;
    }
    seen.delete(v);
    return out;
  };
  return walk(value, "");
}

/** `0`, `12`, `3.5`, `1.2k`, `45k`, `1.3M`: counts and rates in little room. */
export function formatCompact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return trim(v / 1e9) + "G";
  if (a >= 1e6) return trim(v / 1e6) + "M";
  if (a >= 1e4) return trim(v / 1e3) + "k";
  if (a >= 100 || Number.isInteger(v)) return String(Math.round(v));
  return trim(v);
}

/** `1 234 567` with thin grouping, up to 2 decimals. */
export function formatNumber(v: number): string {
  const rounded = Math.round(v * 100) / 100;
  const [int, frac] = String(Math.abs(rounded)).split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
  return (rounded < 0 ? "-" : "") + grouped + (frac ? "." + frac : "");
}

/** Milliseconds for axes and legends: `850µs`, `12 ms`, `1.25 s`. */
export function formatMs(ms: number): string {
  if (ms === 0) return "0";
  if (ms >= 1000) return trim(ms / 1000) + " s";
  if (ms >= 1) return trim(ms) + " ms";
  return trim(ms * 1000) + " µs";
}

/** At most three significant digits, without trailing zeros. */
function trim(v: number): string {
  const a = Math.abs(v);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : 2;
  return String(Number(v.toFixed(digits)));
}

/**
 * JSON with two-space indentation where objects and arrays that fit on one
 * line of `width` characters stay on one line (easier to read than
 * `JSON.stringify(v, null, 2)` for options full of small objects).
 */
export function compactJson(value: unknown, width = 88): string {
  const flatOf = (v: unknown): string => {
    if (typeof v !== "object" || v === null) return JSON.stringify(v) ?? "null";
    if (Array.isArray(v)) return `[${v.map(flatOf).join(", ")}]`;
    const entries = Object.entries(v);
    if (entries.length === 0) return "{}";
    return `{ ${entries.map(([k, item]) => `${JSON.stringify(k)}: ${flatOf(item)}`).join(", ")} }`;
  };
  const render = (v: unknown, indent: string, room: number): string => {
    const flat = flatOf(v);
    if (typeof v !== "object" || v === null || flat.length <= room) return flat;
    const inner = indent + "  ";
    const items = Array.isArray(v)
      ? v.map((item) => render(item, inner, width - inner.length))
      : Object.entries(v).map(([k, item]) => {
        const key = JSON.stringify(k) + ": ";
        return key + render(item, inner, width - inner.length - key.length);
      });
    const [open, close] = Array.isArray(v) ? ["[", "]"] : ["{", "}"];
    if (items.length === 0) return open + close;
    return `${open}\n${items.map((i) => inner + i).join(",\n")}\n${indent}${close}`;
  };
  return render(value, "", width);
}
