/**
 * A shared subscription (MQTT 5 `$share/group/filter`) with the library: two workers of the
 * group `workers` iterate `jobs/#`, and the broker gives each job to one of them; with
 * `manual_ack`, a job is acknowledged once done, so a worker that dies leaves its unfinished jobs
 * to the broker.
 *
 *     MQTT_BROKER_ADDRESS=mqtt://127.0.0.1:1883 deno run -A examples/shared_subscription.ts
 *
 * @module
 */

import { Client, type TopicSubscription } from "../mod.ts";

const url = Deno.env.get("MQTT_BROKER_ADDRESS") ?? "mqtt://127.0.0.1:1883";
const JOBS = 20;

const done: string[] = [];
const workers: Client[] = [];
const loops: Promise<void>[] = [];
const subscriptions: TopicSubscription[] = [];
for (const name of ["worker-a", "worker-b"]) {
  const worker = new Client({ client_id: name, protocol_version: 5, manual_ack: true });
  await worker.connect(url);
  const jobs = worker.subscription("$share/workers/jobs/#", { qos: 1 });
  await jobs.granted;
  workers.push(worker);
  subscriptions.push(jobs);
  loops.push((async () => {
    for await (const job of jobs) {
      done.push(`${name}:${job.text()}`);
      job.ack(); // Done: the broker may forget it.
      if (done.length === JOBS) { for (const s of subscriptions) await s.unsubscribe(); }
    }
  })());
}

const producer = new Client({ protocol_version: 5 });
await producer.connect(url);
for (let i = 0; i < JOBS; i++) await producer.publish(`jobs/${i}`, String(i), { qos: 1 });
await producer.end();

await Promise.all(loops);
const perJob = new Set(done.map((entry) => entry.split(":")[1]));
console.log(`jobs done: ${done.length}, distinct: ${perJob.size}`);
for (const name of ["worker-a", "worker-b"]) {
  console.log(`${name}: ${done.filter((entry) => entry.startsWith(`${name}:`)).length}`);
}
for (const worker of workers) await worker.end();
