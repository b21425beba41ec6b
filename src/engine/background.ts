/**
 * Work a step starts and no phase waits for: the gcloud install, which the action's own steps
 * mostly do not need (its Google calls are REST, kubectl and Helm authenticate through the
 * action's exec plugin) but the job's later steps expect. It runs beside the phases; a command of
 * the tool it installs waits for it first (recorded as `background-wait`, with the step that
 * waited), and the run waits for all of it before it reports, so the job's next step finds gcloud.
 */
import type { EngineEvent, EventPlace } from './events.js';

export class Background {
  private readonly jobs = new Map<string, Promise<void>>();

  constructor(private readonly record: (event: EngineEvent) => void) {}

  start(name: string, work: () => Promise<void>): void {
    this.record({ kind: 'background-start', name });
    const job = work().then(
      () => this.record({ kind: 'background-end', name, ok: true }),
      (error: unknown) => {
        this.record({ kind: 'background-end', name, ok: false });
        throw error;
      }
    );
    job.catch(() => undefined); // reported where it is waited for
    this.jobs.set(name, job);
  }

  /** Waits for `name` if it was started (and says which step had to). */
  async waitFor(name: string, place: EventPlace): Promise<void> {
    const job = this.jobs.get(name);
    if (!job) return;
    this.record({ kind: 'background-wait', name, ...place });
    await job;
  }

  /** Waits for everything started; the failures, if any. */
  async settle(): Promise<Error[]> {
    const results = await Promise.allSettled(this.jobs.values());
    return results.flatMap((r) =>
      r.status === 'rejected'
        ? [r.reason instanceof Error ? r.reason : new Error(String(r.reason))]
        : []
    );
  }
}

/** Which background job a command needs: kubectl is a gcloud component. */
export function backgroundFor(tool: string): string | undefined {
  return tool === 'gcloud' || tool === 'kubectl' ? 'gcloud' : undefined;
}
