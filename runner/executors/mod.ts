/**
 * k6's executors, one file each exporting one {@linkcode Executor} record (strict config
 * decoding with k6's defaults, `validate()` returning every error, the banner description, the
 * VUs a segment needs, its iterations and the Worker-side loop), listed in the registry.
 * {@linkcode parseScenario} picks the executor from a raw scenario object.
 *
 * @module
 */

export type { BaseConfig, Stage } from "./_config.ts";
export type { RunnableVu, ScenarioRuntime, VuSlot } from "./_runtime.ts";
export { share } from "./_runtime.ts";
export type { Executor, ProgressInput, ScenarioProgress } from "./executor.ts";
export {
  describeScenario,
  EXECUTOR_TYPES,
  EXECUTORS,
  type ExecutorType,
  iterationTuple,
  parseScenario,
  runScenario,
  type ScenarioConfig,
  scenarioDurationMs,
  scenarioMaxEndMs,
  scenarioProgress,
  scenarioVus,
  sharedBudget,
} from "./registry.ts";
export type { ConstantArrivalRateConfig } from "./constant_arrival_rate.ts";
export type { ConstantVusConfig } from "./constant_vus.ts";
export type { ExternallyControlledConfig } from "./externally_controlled.ts";
export type { PerVuIterationsConfig } from "./per_vu_iterations.ts";
export type { RampingArrivalRateConfig } from "./ramping_arrival_rate.ts";
export type { RampingVusConfig } from "./ramping_vus.ts";
export type { SharedIterationsConfig } from "./shared_iterations.ts";
