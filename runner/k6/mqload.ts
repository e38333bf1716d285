/**
 * What `import … from "@mqload/mqload"` gives a script run by `mqload run`: the library, with
 * the VU-aware `Client` of `k6/x/mqtt` (metrics, iteration tracking) in place of the plain one,
 * and `publishEvery()`, fixed-rate publications paced by one scheduler per Worker.
 *
 * @module
 */

export * from "../../mod.ts";
export { Client } from "./mqtt.ts";
export {
  publishEvery,
  type PublishEveryOptions,
  type PublishEveryResult,
} from "./_publish_schedule.ts";
