// A Worker's VUs, shared by its scenarios as k6 shares its VU buffer: the planned VUs are
// initialized before the test, a scenario takes VUs from the pool as it needs them and gives them
// back when it is over, so scenarios that run one after the other use the same VUs (and `__VU`s)
// and the Worker initializes only what runs at once. Unplanned VUs (arrival-rate `maxVUs` past
// `preAllocatedVUs`) are new ones while the plan's unplanned budget lasts, then pooled ones, as
// k6's GetUnplannedVU does.

import type { VuSlot } from "../executors/mod.ts";
import { RAW_TIMERS } from "./vu_context.ts";
import type { Vu } from "./vu.ts";

// k6 waits this long (MaxRetriesGetPlannedVU × MaxTimeToWaitForPlannedVU) for a planned VU that
// another scenario is still giving back; past it, a new VU is initialized (k6 fails the test).
const PLANNED_WAIT_MS = 2_000;

/** A scenario's place for one VU of the pool. */
export type PoolSlot = VuSlot & { readonly vu: Vu | undefined };

export class VuPool {
  readonly #create: () => Promise<Vu>;
  #unplanned = 0;
  // First in, first out, as k6's buffered channel: VUs are taken in the order they came.
  readonly #free: Vu[] = [];
  #given?: PromiseWithResolvers<void>;

  /** @param create Initializes a new VU (the process's next id). */
  constructor(create: () => Promise<Vu>) {
    this.#create = create;
  }

  /**
   * Initializes the planned VUs before the test, one after the other (ids in order).
   *
   * @param planned The most planned VUs running at once.
   * @param possible The most planned and unplanned VUs running at once.
   */
  async fill(planned: number, possible: number): Promise<void> {
    this.#unplanned = Math.max(0, possible - planned);
    for (let i = 0; i < planned; i++) this.#free.push(await this.#create());
  }

  /**
   * A scenario's place for one VU: its first `acquire()` takes a VU from the pool and keeps it
   * until `giveBack`. A planned one, or an unplanned one past the budget, waits for a VU still
   * held by a scenario that is ending (the plan counted on it).
   */
  slot(planned: boolean): PoolSlot {
    let vu: Vu | undefined;
    let taking: Promise<Vu> | undefined;
    return {
      get vu() {
        return vu;
      },
      acquire: () => taking ??= this.#take(planned).then((taken) => vu = taken),
    };
  }

  /** Gives the VUs of a scenario's slots back once the scenario is over. */
  giveBack(slots: Iterable<{ readonly vu: Vu | undefined }>): void {
    for (const slot of slots) if (slot.vu !== undefined) this.#free.push(slot.vu);
    const given = this.#given;
    this.#given = undefined;
    given?.resolve();
  }

  async #take(planned: boolean): Promise<Vu> {
    if (!planned && this.#unplanned > 0) {
      this.#unplanned--;
      return await this.#create();
    }
    if (this.#free.length === 0) await this.#givenBack(PLANNED_WAIT_MS);
    return this.#free.shift() ?? await this.#create();
  }

  /** Waits for a scenario to give VUs back, at most `ms`. */
  async #givenBack(ms: number): Promise<void> {
    const deadline = performance.now() + ms;
    while (this.#free.length === 0 && performance.now() < deadline) {
      const given = this.#given ??= Promise.withResolvers<void>();
      let timer: number | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = RAW_TIMERS.setTimeout(resolve, Math.max(0, deadline - performance.now()));
      });
      await Promise.race([given.promise, timeout]);
      RAW_TIMERS.clearTimeout(timer);
    }
  }
}
