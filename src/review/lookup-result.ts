/** What the reviewed-plan lookup found, as the engine's context carries it. */
import type { PlanFingerprint } from './fingerprint.js';

export type ReviewedPlanLookup =
  | {
      readonly pullNumber: number;
      readonly fingerprint: PlanFingerprint | undefined;
      readonly approvers: readonly string[];
    }
  | { readonly reason: string };
