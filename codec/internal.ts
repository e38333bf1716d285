// The one entry of the client into the codec's internals: writing packets into a connection's
// slabs, the client's fixed-size packets, and the topic checks the broker's capabilities need
// (the bench's flags check its topic filters with them too).
// Not part of the package's API (no export of deno.json reaches it): it may change at any time.

export { BufferPool } from "./_buffer_pool.ts";
export { type AckType, encodeAck, encodeDisconnect, PINGREQ_BYTES } from "./_encode_fixed.ts";
export { encodePacket } from "./encode.ts";
export { filterProblem, hasWildcard, isShared } from "./_topics.ts";
