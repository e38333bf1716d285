/**
 * What `handleSummary()` returned, as the files and streams to write: k6 accepts strings and
 * ArrayBuffers (and views on them); anything else is written as JSON.
 *
 * @module
 */

/** k6 accepts strings and ArrayBuffers as `handleSummary` outputs; anything else is JSON. */
export function summaryOutputs(result: unknown): Record<string, string | Uint8Array> | null {
  if (result === undefined || result === null) return null;
  if (typeof result !== "object") {
    throw new TypeError(
      "handleSummary() must return an object of outputs, such as { stdout: text }",
    );
  }
  const out: Record<string, string | Uint8Array> = {};
  for (const [key, value] of Object.entries(result)) {
    if (typeof value === "string") out[key] = value;
    else if (value instanceof ArrayBuffer) out[key] = new Uint8Array(value);
    else if (ArrayBuffer.isView(value)) {
      out[key] = new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice();
    } else out[key] = JSON.stringify(value);
  }
  return out;
}
