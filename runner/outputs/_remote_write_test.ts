import assert from "node:assert/strict";
import protobuf from "protobufjs";
import SnappyJS from "snappyjs";
import {
  encodeWriteRequest,
  type PromSeries,
  pushSeries,
  snappyCompress,
} from "./_remote_write.ts";

// prompb/remote.proto and prompb/types.proto, the fields remote write 1.0 senders fill in.
const PROMPB = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: { fields: { timeseries: { rule: "repeated", type: "TimeSeries", id: 1 } } },
        TimeSeries: {
          fields: {
            labels: { rule: "repeated", type: "Label", id: 1 },
            samples: { rule: "repeated", type: "Sample", id: 2 },
          },
        },
        Label: { fields: { name: { type: "string", id: 1 }, value: { type: "string", id: 2 } } },
        Sample: {
          fields: { value: { type: "double", id: 1 }, timestamp: { type: "int64", id: 2 } },
        },
      },
    },
  },
}).lookupType("prometheus.WriteRequest");

interface Decoded {
  timeseries: {
    labels: { name: string; value: string }[];
    samples: { value: number; timestamp: number }[];
  }[];
}

function decode(bytes: Uint8Array): Decoded {
  return PROMPB.toObject(PROMPB.decode(bytes), { longs: Number, defaults: true }) as Decoded;
}

Deno.test("encodeWriteRequest() writes the golden bytes Prometheus accepts", () => {
  const bytes = encodeWriteRequest([{
    labels: [{ name: "__name__", value: "k6_vus" }],
    samples: [{ value: 2, timestampMs: 1000 }],
  }]);
  // deno-fmt-ignore
  const golden = [
    0x0a, 0x22,                         // WriteRequest.timeseries (1, bytes), 34 bytes
    0x0a, 0x12,                         //   TimeSeries.labels (1, bytes), 18 bytes
    0x0a, 0x08, ...new TextEncoder().encode("__name__"), // Label.name (1, bytes)
    0x12, 0x06, ...new TextEncoder().encode("k6_vus"),   // Label.value (2, bytes)
    0x12, 0x0c,                         //   TimeSeries.samples (2, bytes), 12 bytes
    0x09, 0, 0, 0, 0, 0, 0, 0, 0x40,    //     Sample.value (1, 64-bit): 2.0 little-endian
    0x10, 0xe8, 0x07,                   //     Sample.timestamp (2, varint): 1000
  ];
  assert.deepEqual([...bytes], golden);
});

Deno.test("encodeWriteRequest() round-trips through protobufjs' decoder", () => {
  const now = Date.UTC(2025, 5, 1, 12, 0, 0, 123); // past 2^32: a 6-byte varint
  const series: PromSeries[] = [
    {
      labels: [
        { name: "__name__", value: "k6_mqtt_message_latency_p99" },
        { name: "scenario", value: "pub" },
        { name: "topic", value: "capteurs/température/ü" }, // UTF-8, longer than its length in chars
      ],
      samples: [{ value: 0.0123, timestampMs: now }],
    },
    {
      labels: [{ name: "__name__", value: "k6_vus" }],
      samples: [{ value: 0, timestampMs: now }, { value: -1.5, timestampMs: now + 1 }],
    },
    { labels: [{ name: "__name__", value: "long_" + "x".repeat(300) }], samples: [] },
  ];
  const decoded = decode(encodeWriteRequest(series));
  assert.deepEqual(
    decoded.timeseries.map((s) => ({
      labels: s.labels,
      samples: s.samples.map((x) => ({ value: x.value, timestampMs: x.timestamp })),
    })),
    series,
  );
  assert.deepEqual(decode(encodeWriteRequest([])), { timeseries: [] });
});

Deno.test("encodeWriteRequest() keeps the stale marker's NaN bits", () => {
  const bytes = encodeWriteRequest([{
    labels: [{ name: "__name__", value: "a" }],
    samples: [{ value: NaN, timestampMs: 1, stale: true }],
  }]);
  const at = bytes.indexOf(0x09) + 1;
  const bits = new DataView(bytes.buffer, at, 8).getBigUint64(0, true);
  assert.equal(bits, 0x7ff0000000000002n);
});

Deno.test("snappyCompress() round-trips and compresses a real request", () => {
  const series: PromSeries[] = Array.from({ length: 50 }, (_, i) => ({
    labels: [{ name: "__name__", value: "k6_mqtt_calls_total" }, {
      name: "method",
      value: `m${i}`,
    }],
    samples: [{ value: i, timestampMs: 1_750_000_000_000 }],
  }));
  const raw = encodeWriteRequest(series);
  const block = snappyCompress(raw);
  assert.ok(block.length < raw.length / 2, `${block.length} of ${raw.length}`);
  assert.deepEqual(SnappyJS.uncompress(block), raw);
  assert.deepEqual(SnappyJS.uncompress(snappyCompress(new Uint8Array())), new Uint8Array());
});

Deno.test("pushSeries() sends remote write 1.0 headers and body; a non-2xx rejects", async () => {
  const seen: { headers: Headers; body: Uint8Array }[] = [];
  let status = 204;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    seen.push({ headers: req.headers, body: new Uint8Array(await req.arrayBuffer()) });
    return new Response(status === 204 ? null : "out of order sample", { status });
  });
  try {
    const url = `http://127.0.0.1:${server.addr.port}/api/v1/write`;
    const series: PromSeries[] = [{
      labels: [{ name: "__name__", value: "k6_vus" }],
      samples: [{ value: 1, timestampMs: 5 }],
    }];
    await pushSeries(
      { url, headers: { "X-Scope-OrgID": "t1" } },
      series,
      AbortSignal.timeout(5000),
    );
    const [{ headers, body }] = seen;
    assert.equal(headers.get("content-encoding"), "snappy");
    assert.equal(headers.get("content-type"), "application/x-protobuf");
    assert.equal(headers.get("x-prometheus-remote-write-version"), "0.1.0");
    assert.equal(headers.get("user-agent"), "k6-prometheus-rw-output");
    assert.equal(headers.get("x-scope-orgid"), "t1");
    assert.deepEqual(SnappyJS.uncompress(body), encodeWriteRequest(series));
    status = 400;
    await assert.rejects(
      pushSeries({ url, headers: {} }, series, AbortSignal.timeout(5000)),
      /got status code: 400 instead expected a 2xx successful status code \(out of order sample\)/,
    );
  } finally {
    await server.shutdown();
  }
});
