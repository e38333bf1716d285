/**
 * The values `k6/http` makes for requests: `http.url` (a URL template whose requests share one
 * `name` tag) and `http.file` (a file part, which makes a form body multipart).
 *
 * @module
 */

/** The password of a URL's user info, `scheme://user:password@`, in a template. */
const USERINFO_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^/@]*@/i;

/**
 * A URL made by {@linkcode url}: its requests are tagged with `name` (the template, each
 * interpolation written `${}`) unless their params name them.
 *
 * @example Usage
 * ```ts
 * import { url } from "./_http_values.ts";
 * import assert from "node:assert/strict";
 *
 * const id = 7;
 * const u = url`http://127.0.0.1:8080/posts/${id}`;
 * assert.equal(u.name, "http://127.0.0.1:8080/posts/${}");
 * assert.equal(String(u), "http://127.0.0.1:8080/posts/7");
 * // A password in the template stays out of the name (and so of tags and outputs).
 * assert.equal(url`http://me:pw@h/${1}`.name, "http://me:****@h/${}");
 * ```
 */
export class TaggedUrl {
  /** The template, each interpolation written `${}`: the requests' `name` tag. */
  readonly name: string;
  /** The URL. */
  readonly url: string;
  /** The URL, a password in it masked (as its tags show it). */
  readonly clean_url: string;

  constructor(url: string, name: string) {
    // The name becomes tags, shown in outputs: a password written in the template is masked.
    const masked = name.replace(USERINFO_PASSWORD, "$1****@");
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new TypeError(`invalid URL "${masked}"`);
    }
    this.url = url;
    this.name = masked;
    if (parsed.password !== "") parsed.password = "****";
    this.clean_url = parsed.password === "" ? url : parsed.href;
  }

  /** The URL itself. */
  toString(): string {
    return this.url;
  }
}

/**
 * k6's `http.url` tagged template: a URL whose requests share the `name` tag of its template,
 * so that `/posts/1` and `/posts/2` are one series.
 *
 * @param parts The template's literal parts.
 * @param values What was interpolated.
 * @returns The URL.
 * @throws {TypeError} When the result is not a URL.
 *
 * @example Usage
 * ```ts
 * import { url } from "./_http_values.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(url`http://h/a/${1}/b/${2}`.name, "http://h/a/${}/b/${}");
 * ```
 */
export function url(
  parts: TemplateStringsArray | readonly string[],
  ...values: unknown[]
): TaggedUrl {
  let name = "";
  let href = "";
  parts.forEach((part, i) => {
    name += part;
    href += part;
    if (i < values.length) {
      name += "${}";
      href += String(values[i]);
    }
  });
  return new TaggedUrl(href, name);
}

/**
 * A file part made by {@linkcode file}: a form body with one is sent as `multipart/form-data`.
 *
 * @example Usage
 * ```ts
 * import { file, FileData } from "./_http_values.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(file("abc", "a.txt") instanceof FileData);
 * ```
 */
export class FileData {
  /** The content. */
  readonly data: string | ArrayBuffer;
  /** The part's file name. */
  readonly filename: string;
  /** The part's content type. */
  readonly content_type: string;

  constructor(data: string | ArrayBuffer, filename: string, contentType: string) {
    this.data = data;
    this.filename = filename;
    this.content_type = contentType;
  }
}

/**
 * k6's `http.file`: a file part for a multipart form body.
 *
 * @param data The content: a string, an ArrayBuffer (`open(path, "b")`) or a typed array.
 * @param filename The file name (k6's default: the current time in ns).
 * @param contentType The content type (default `application/octet-stream`).
 * @returns The part.
 * @throws {TypeError} When `data` is none of those.
 *
 * @example Usage
 * ```ts
 * import { file } from "./_http_values.ts";
 * import assert from "node:assert/strict";
 *
 * const part = file(new Uint8Array([1, 2]), "b.bin", "image/png");
 * assert.equal(part.content_type, "image/png");
 * assert.equal(part.filename, "b.bin");
 * ```
 */
export function file(data: unknown, filename?: string, contentType?: string): FileData {
  let content: string | ArrayBuffer;
  if (typeof data === "string" || data instanceof ArrayBuffer) content = data;
  else if (ArrayBuffer.isView(data)) {
    content = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice().buffer;
  } else {
    const type = data === null ? "null" : typeof data;
    throw new TypeError(`invalid type ${type}, expected string or ArrayBuffer`);
  }
  const nanos = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
  return new FileData(
    content,
    filename ?? String(nanos),
    contentType ?? "application/octet-stream",
  );
}

/**
 * Whether a form body has a file part (k6 then sends it as `multipart/form-data`).
 *
 * @param body A request body.
 * @returns True for a plain object with a {@linkcode FileData} value.
 *
 * @example Usage
 * ```ts
 * import { file, hasFile } from "./_http_values.ts";
 * import assert from "node:assert/strict";
 *
 * assert.ok(hasFile({ a: "1", f: file("x") }));
 * assert.ok(!hasFile({ a: "1" }));
 * ```
 */
export function hasFile(body: unknown): body is Record<string, unknown> {
  if (body === null || typeof body !== "object" || ArrayBuffer.isView(body)) return false;
  return Object.values(body).some((v) => v instanceof FileData);
}

/**
 * A form with file parts, encoded as `multipart/form-data` by the platform's `FormData`: its
 * bytes, and the content type with their boundary, which replaces any the request set (k6
 * keeps a content type the params give, whose boundary then does not match the body's).
 *
 * @param form The form's fields and files.
 * @param headers The request headers (their content type is set).
 * @returns The body's bytes.
 *
 * @example Usage
 * ```ts
 * import { file, multipartBody } from "./_http_values.ts";
 * import assert from "node:assert/strict";
 *
 * const headers = new Headers();
 * const bytes = await multipartBody({ a: "1", f: file("x", "f.txt", "text/plain") }, headers);
 * assert.match(headers.get("content-type")!, /^multipart\/form-data; boundary=/);
 * assert.match(new TextDecoder().decode(bytes), /filename="f.txt"/);
 * ```
 */
export async function multipartBody(
  form: Record<string, unknown>,
  headers: Headers,
): Promise<Uint8Array> {
  const data = new FormData();
  for (const [name, value] of Object.entries(form)) {
    if (value instanceof FileData) {
      data.append(name, new Blob([value.data], { type: value.content_type }), value.filename);
    } else data.append(name, String(value));
  }
  const request = new Request("http://localhost/", { method: "POST", body: data });
  headers.set("content-type", request.headers.get("content-type")!);
  return new Uint8Array(await request.arrayBuffer());
}
