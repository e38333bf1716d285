/**
 * A load test that is its own program: `deno compile -A --include runner/worker/worker.ts
 * examples/compile_entry.ts` makes a binary that runs it (`./compile_entry --vus 4`), and
 * `deno run -A examples/compile_entry.ts` runs it too. It imports the runner natively, exports
 * its options and iteration as any k6 script, and calls `main` only as the main module: the
 * Workers import this same file as the script, where `import.meta.main` is false.
 *
 * @module
 */

import { check, Client, main, QoS } from "@mqload/mqload/runner";

export const options = {
  vus: 2,
  iterations: 10,
  thresholds: { checks: ["rate==1"], mqtt_errors: ["count==0"] },
};

const broker = Deno.env.get("MQTT_BROKER_ADDRESS") ?? "mqtt://127.0.0.1:1883";

/** One iteration: connect, publish at QoS 1, disconnect. */
export default async function (): Promise<void> {
  const client = new Client();
  await client.connect(broker);
  await client.publish("compile/entry", "hello", { qos: QoS.AtLeastOnce });
  check(client, { connected: (c) => c.connected });
  await client.end();
}

if (import.meta.main) Deno.exit(await main(["run", import.meta.url, ...Deno.args]));
