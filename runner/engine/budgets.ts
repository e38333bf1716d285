/**
 * The iteration budgets of scenarios whose VUs share one (`shared-iterations`): the main thread
 * hands each Worker chunks of iteration numbers as its VUs ask, so fast VUs do more of them.
 *
 * @module
 */

import { sharedBudget } from "../executors/mod.ts";
import type { TestPlan } from "../config/options.ts";
import type { ScenarioSlots } from "../worker/messages.ts";
import type { WorkerHandle } from "./worker_pool.ts";

/** The shared budgets of a run, and which Workers run each scenario. */
export class IterationBudgets {
  readonly #budgets = new Map<string, { next: number; remaining: number; vus: number[] }>();
  readonly #scenarioWorkers = new Map<string, number>();

  /**
   * Records which Workers run each scenario and sets the shared budgets.
   *
   * @param plan The test plan.
   * @param slots Each Worker's VU slots per scenario.
   */
  plan(plan: TestPlan, slots: ScenarioSlots[][]): void {
    for (const config of plan.scenarios) {
      const vus = slots.map((list) =>
        list.find((s) => s.config.name === config.name)?.planned ?? 0
      );
      this.#scenarioWorkers.set(config.name, vus.filter((n) => n > 0).length);
      const remaining = sharedBudget(config, plan.tuple);
      if (remaining !== undefined) this.#budgets.set(config.name, { next: 0, remaining, vus });
    }
  }

  /** How many Workers run a scenario. */
  workerCount(name: string): number {
    return this.#scenarioWorkers.get(name) ?? 0;
  }

  /**
   * Answers a Worker's request for iterations of a scenario: a chunk of at least its VU count
   * and at most a quarter of what is left per Worker holding the scenario; none once stopping.
   *
   * @param w The Worker.
   * @param scenario The scenario.
   * @param stopping Whether the test is stopping.
   */
  grant(w: WorkerHandle, scenario: string, stopping: boolean): void {
    const budget = this.#budgets.get(scenario);
    if (budget === undefined || stopping) {
      w.send({ type: "grant", scenario, from: 0, count: 0 });
      return;
    }
    const holders = budget.vus.filter((n) => n > 0).length;
    const count = Math.min(
      budget.remaining,
      Math.max(budget.vus[w.index] ?? 1, Math.ceil(budget.remaining / (4 * holders))),
    );
    w.send({ type: "grant", scenario, from: budget.next, count });
    budget.next += count;
    budget.remaining -= count;
  }
}
