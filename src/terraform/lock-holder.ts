/**
 * Which GitHub run holds a Terraform state lock, and whether it has provably ended.
 *
 * Terraform's GCS backend keeps the lock as the object STATE_PREFIX/default.tflock: the JSON of
 * statemgr.LockInfo (`ID`, `Operation`, `Info`, `Who` = user@hostname, `Version`, `Created`, `Path`),
 * written only if absent; the lock ID Terraform prints and `force-unlock` takes is the object's
 * generation (internal/backend/remote-state/gcs/client.go). Nothing in it names a GitHub run, and
 * the CLI offers no way to fill `Info`, so before every locking command the action writes a holder
 * record beside it (STATE_PREFIX/flyte-gke-lock-holder.json): repository, run, attempt, job, and the
 * same user@hostname Terraform will write. No secret is in it.
 *
 * Who can write the record: whoever can write the state bucket (the deployer, project owners); the
 * planner only reads it. Anyone who can forge it can delete the lock anyway, so the record is
 * trusted no further than the bucket, and still checked against the lock and GitHub's own answer:
 * same repository (name and ID) as this run, same user@hostname as the lock, written before the
 * lock was taken, and the run attempt GitHub reports started before the lock and, completed,
 * ended after it. Anything else is "unproven" and the lock stays.
 */
import os from 'node:os';

export const HOLDER_OBJECT = 'flyte-gke-lock-holder.json';
export const LOCK_OBJECT = 'default.tflock';

/** The object's name in the state bucket: PREFIX/NAME, as the GCS backend names its objects. */
export const stateObjectName = (prefix: string, name: string): string =>
  `${prefix.replace(/^\/+|\/+$/g, '')}/${name}`;

export const stateObjectUrl = (bucket: string, prefix: string, name: string): string =>
  `gs://${bucket}/${stateObjectName(prefix, name)}`;

export interface LockHolderRecord {
  readonly repository: string;
  readonly repositoryId?: string;
  readonly runId: number;
  readonly runAttempt: number;
  readonly job: string;
  /** user@hostname, as Terraform writes `Who`. */
  readonly who: string;
  /** ISO time the record was written, just before the locking command. */
  readonly written: string;
}

/** Terraform's `Who` for this process: os/user's name and the host name. */
export function terraformWho(): string {
  let user = '';
  try {
    user = os.userInfo().username;
  } catch {
    // Terraform leaves the name empty too when it cannot read it.
  }
  return `${user}@${os.hostname()}`;
}

/** This run's record; undefined outside GitHub Actions (nothing to name). */
export function holderRecordOf(
  env: NodeJS.ProcessEnv,
  who: string,
  now: number
): LockHolderRecord | undefined {
  const runId = Number(env.GITHUB_RUN_ID);
  const runAttempt = Number(env.GITHUB_RUN_ATTEMPT ?? '1');
  if (!env.GITHUB_REPOSITORY || !Number.isSafeInteger(runId) || runId <= 0) return undefined;
  return {
    repository: env.GITHUB_REPOSITORY,
    ...(env.GITHUB_REPOSITORY_ID ? { repositoryId: env.GITHUB_REPOSITORY_ID } : {}),
    runId,
    runAttempt: Number.isSafeInteger(runAttempt) && runAttempt > 0 ? runAttempt : 1,
    job: env.GITHUB_JOB ?? '',
    who,
    written: new Date(now).toISOString()
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A record as written by holderRecordOf; anything else (a stray or damaged object) is undefined. */
export function parseHolderRecord(text: string): LockHolderRecord | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(data)) return undefined;
  const { repository, repositoryId, runId, runAttempt, job, who, written } = data;
  if (
    typeof repository !== 'string' ||
    !/^[\w.-]+\/[\w.-]+$/.test(repository) ||
    (repositoryId !== undefined && typeof repositoryId !== 'string') ||
    typeof runId !== 'number' ||
    !Number.isSafeInteger(runId) ||
    runId <= 0 ||
    typeof runAttempt !== 'number' ||
    !Number.isSafeInteger(runAttempt) ||
    runAttempt <= 0 ||
    typeof job !== 'string' ||
    typeof who !== 'string' ||
    typeof written !== 'string' ||
    !Number.isFinite(Date.parse(written))
  ) {
    return undefined;
  }
  return {
    repository,
    ...(repositoryId !== undefined ? { repositoryId } : {}),
    runId,
    runAttempt,
    job,
    who,
    written
  };
}

export interface StateLock {
  /** The lock object's generation: what `terraform force-unlock` takes. */
  readonly id: string;
  readonly who: string;
  readonly operation: string;
  /** Epoch milliseconds. */
  readonly created: number;
  readonly path: string;
}

/**
 * The lock from its object's generation (Cloud Storage's objects.get) and the object's content;
 * undefined when either does not read as a lock.
 */
export function parseStateLock(generation: string, content: string): StateLock | undefined {
  let info: unknown;
  try {
    info = JSON.parse(content);
  } catch {
    return undefined;
  }
  if (!isObject(info)) return undefined;
  const created = typeof info.Created === 'string' ? Date.parse(info.Created) : NaN;
  if (!/^[0-9]+$/.test(generation) || !Number.isFinite(created)) return undefined;
  return {
    id: generation,
    who: typeof info.Who === 'string' ? info.Who : '',
    operation: typeof info.Operation === 'string' ? info.Operation : '',
    created,
    path: typeof info.Path === 'string' ? info.Path : ''
  };
}

/** One attempt of a workflow run as `GET .../actions/runs/{id}/attempts/{n}` reports it. */
export interface RunAttempt {
  readonly id: number;
  readonly attempt: number;
  readonly status: string;
  readonly conclusion?: string;
  readonly htmlUrl: string;
  readonly repository: string;
  readonly repositoryId?: string;
  /** Epoch milliseconds. */
  readonly startedAt?: number;
  readonly updatedAt?: number;
}

export interface ThisRepository {
  readonly fullName: string;
  readonly id?: string;
}

export type HolderVerdict =
  | { readonly kind: 'unproven'; readonly why: string }
  | { readonly kind: 'record'; readonly record: LockHolderRecord };

/** Whether the record can name the lock's holder at all, before asking GitHub. */
export function matchRecord(
  lock: StateLock,
  record: LockHolderRecord | undefined,
  here: ThisRepository | undefined
): HolderVerdict {
  if (!record) {
    return {
      kind: 'unproven',
      why: 'no holder record names the run that took it (a person, another tool, or a run before the action wrote records)'
    };
  }
  if (!here || record.repository.toLowerCase() !== here.fullName.toLowerCase()) {
    return {
      kind: 'unproven',
      why: `the holder record names a run of ${record.repository}, not of this repository${here ? ` (${here.fullName})` : ''}`
    };
  }
  if (record.repositoryId && here.id && record.repositoryId !== here.id) {
    return {
      kind: 'unproven',
      why: `the holder record names repository ID ${record.repositoryId}, this repository is ${here.id}`
    };
  }
  if (record.who !== lock.who) {
    return {
      kind: 'unproven',
      why: `the lock was taken by ${lock.who || 'an unnamed user'}, the holder record names ${record.who}`
    };
  }
  if (Date.parse(record.written) > lock.created) {
    return {
      kind: 'unproven',
      why: 'the holder record was written after the lock was taken, so it is not the lock holder'
    };
  }
  return { kind: 'record', record };
}

export type RunVerdict =
  | { readonly kind: 'ended'; readonly run: RunAttempt }
  | { readonly kind: 'running'; readonly run: RunAttempt }
  | { readonly kind: 'unproven'; readonly why: string };

/** Whether GitHub's answer about the recorded attempt proves that it took the lock and ended. */
export function judgeRun(
  lock: StateLock,
  record: LockHolderRecord,
  run: RunAttempt | undefined,
  here: ThisRepository
): RunVerdict {
  const name = `run ${record.runId} attempt ${record.runAttempt}`;
  if (!run) {
    return {
      kind: 'unproven',
      why: `GitHub does not know ${name} in ${here.fullName} (or github-token may not read workflow runs: it needs actions: read)`
    };
  }
  if (
    run.id !== record.runId ||
    run.attempt !== record.runAttempt ||
    run.repository.toLowerCase() !== here.fullName.toLowerCase() ||
    (run.repositoryId !== undefined && here.id !== undefined && run.repositoryId !== here.id)
  ) {
    return { kind: 'unproven', why: `GitHub's answer for ${name} is about another run` };
  }
  if (run.startedAt === undefined || run.startedAt > lock.created) {
    return {
      kind: 'unproven',
      why: `${name} started after the lock was taken, so it cannot hold it`
    };
  }
  if (run.status !== 'completed') return { kind: 'running', run };
  if (run.updatedAt === undefined || run.updatedAt < lock.created) {
    return { kind: 'unproven', why: `${name} had ended before the lock was taken` };
  }
  return { kind: 'ended', run };
}
