/**
 * Stands in for `k6/options`, a module of TypeScript types only (`import type { Options }`).
 *
 * @module
 */

/** k6's test options, loosely typed (mqload reads the ones listed in `runner/config/options.ts`). */
export type Options = Record<string, unknown>;
