/**
 * Where the `csv` output's rows go: a file, a gzip stream over a file, or stdout.
 *
 * @module
 */

import { InvalidConfigError } from "../config/options.ts";

/** Where the rows go: a file, a gzip stream over a file, or stdout. */
export interface Sink {
  /** Writes the bytes, all of them, or rejects. */
  write(bytes: Uint8Array): Promise<void>;
  /** Ends the stream (the gzip trailer) and closes the file. */
  close(): Promise<void>;
}

/**
 * Opens where the `csv` output writes: stdout for `""` or `-`, else the file (created or
 * truncated), gzipped when its name ends in `.gz`.
 *
 * @param path The file name.
 * @returns The sink; its writes reject when the file's do.
 * @throws {InvalidConfigError} When the file cannot be created.
 */
export async function openSink(path: string): Promise<Sink> {
  if (path === "" || path === "-") {
    return {
      write: async (bytes) => {
        for (let at = 0; at < bytes.length;) at += await Deno.stdout.write(bytes.subarray(at));
      },
      close: () => Promise.resolve(),
    };
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { write: true, create: true, truncate: true });
  } catch (e) {
    throw new InvalidConfigError([
      `could not create the 'csv' output ${path}: ${(e as Error).message}`,
    ]);
  }
  // file.write, not file.writable: in Deno 2.9 the file's WritableStream resolves writes that
  // failed (ENOSPC on /dev/full), which would lose the error.
  const writeAll = async (bytes: Uint8Array) => {
    for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
  };
  if (!path.endsWith(".gz")) {
    return { write: writeAll, close: () => Promise.resolve(file.close()) };
  }
  const gzip = new CompressionStream("gzip");
  const writer = gzip.writable.getWriter();
  const pumped = (async () => {
    for await (const chunk of gzip.readable) await writeAll(chunk);
  })();
  // A failed file write must fail the gzip writes too, or they would wait forever.
  pumped.catch((e) => writer.abort(e).catch(() => {}));
  return {
    write: (bytes) => writer.write(bytes as Uint8Array<ArrayBuffer>),
    async close() {
      try {
        await writer.close();
        await pumped;
      } finally {
        file.close();
      }
    },
  };
}
