/** What task steps share for the action's own Google calls: the client, and failures as steps'. */
import { StepError } from '../errors.js';
import type { TaskContext } from '../engine/types.js';
import type { GoogleApi } from '../gcp/google-api.js';

/** The run's Google client; the steps that call Google run after the auth phase made it. */
export function googleOf(ctx: TaskContext, stepId: string): GoogleApi {
  if (!ctx.google) {
    throw new StepError(stepId, 'No Google API client in this run (the auth phase runs first).');
  }
  return ctx.google();
}

/**
 * A Google call's failure as the step's: `what` failed, with Google's status and reason kept
 * (GoogleApiError's message), then `advice`.
 */
export async function googleCall<T>(
  stepId: string,
  what: string,
  advice: string,
  call: () => Promise<T>
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new StepError(stepId, `${what} failed: ${(error as Error).message} ${advice}`);
  }
}
