/**
 * Work a step starts and no phase waits for: the gcloud install, which the action's own steps
 * mostly do not need (its Google calls are REST, kubectl is its own download, and kubectl and Helm
 * authenticate through the action's exec plugin) but the job's later steps expect. It runs beside
 * the phases; a command of the tool it installs waits for it first (recorded as
 * `background-wait`, with the step that waited), and the run waits for all of it before it
 * reports, so the job's next step finds gcloud. Work started on need (install-gcloud false) waits
 * for the first such command and never starts in a run that has none.
 */
import type { EngineEvent, EventPlace } from './events.js';

export class Background {
  private readonly jobs = new Map<string, Promise<void>>();
  private readonly onNeed = new Map<string, () => Promise<void>>();

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

  /** Keeps `work` to start when a command first waits for `name`; never started otherwise. */
  startOnNeed(name: string, work: () => Promise<void>): void {
    if (!this.jobs.has(name)) this.onNeed.set(name, work);
  }

  /** Waits for `name` if it was started or kept for need (and says which step had to). */
  async waitFor(name: string, place: EventPlace): Promise<void> {
    const needed = this.onNeed.get(name);
    if (needed) {
      this.onNeed.delete(name);
      this.start(name, needed);
    }
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

/** Which background job a command needs: only gcloud's (kubectl is its own download). */
export function backgroundFor(tool: string): string | undefined {
  return tool === 'gcloud' ? 'gcloud' : undefined;
}
