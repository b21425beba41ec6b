/**
 * What triggered the run, read from GITHUB_* variables and the event payload file. Only the
 * fields publishing needs: the repository, the pull request (if any), the commit and the run link.
 */
import { readFileSync } from 'node:fs';

export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

export interface EventContext {
  readonly eventName: string;
  readonly repo: RepoRef | undefined;
  /** The commit the run is about (the head commit on a pull request). */
  readonly sha: string | undefined;
  /** Set on pull_request and pull_request_target events. */
  readonly pullNumber: number | undefined;
  /** True when the pull request comes from another repository (a fork). */
  readonly fromFork: boolean;
  /** The repository's default branch, as the payload names it. */
  readonly defaultBranch: string | undefined;
  readonly apiUrl: string;
  /** Link to this run's page, when the variables to build it are present. */
  readonly runUrl: string | undefined;
}

type ReadText = (file: string) => string;

export function readEventContext(
  env: NodeJS.ProcessEnv,
  readText: ReadText = (file) => readFileSync(file, 'utf8')
): EventContext {
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const payload = readPayload(env.GITHUB_EVENT_PATH, readText);
  const repo = parseRepo(env.GITHUB_REPOSITORY);
  const serverUrl = (env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '');
  const pull = isObject(payload.pull_request) ? payload.pull_request : undefined;
  const pullNumber =
    pull && typeof pull.number === 'number'
      ? pull.number
      : typeof payload.number === 'number' && eventName.startsWith('pull_request')
        ? payload.number
        : undefined;
  const headRepo = pull ? fullName(pull.head) : undefined;
  const baseRepo = pull ? fullName(pull.base) : undefined;
  const headSha = pull && isObject(pull.head) ? stringOf(pull.head.sha) : undefined;
  return {
    eventName,
    repo,
    sha: headSha ?? stringOf(payload.after) ?? env.GITHUB_SHA,
    pullNumber,
    fromFork: headRepo !== undefined && baseRepo !== undefined && headRepo !== baseRepo,
    defaultBranch: isObject(payload.repository)
      ? stringOf(payload.repository.default_branch)
      : undefined,
    apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, ''),
    runUrl:
      repo && env.GITHUB_RUN_ID
        ? `${serverUrl}/${repo.owner}/${repo.repo}/actions/runs/${env.GITHUB_RUN_ID}`
        : undefined
  };
}

type Json = Record<string, unknown>;

function readPayload(file: string | undefined, readText: ReadText): Json {
  if (!file) return {};
  try {
    const parsed: unknown = JSON.parse(readText(file));
    return isObject(parsed) ? parsed : {};
  } catch {
    // A missing or unreadable payload only means there is no pull request to comment on.
    return {};
  }
}

function parseRepo(value: string | undefined): RepoRef | undefined {
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(value ?? '');
  return match ? { owner: match[1]!, repo: match[2]! } : undefined;
}

function fullName(side: unknown): string | undefined {
  if (!isObject(side) || !isObject(side.repo)) return undefined;
  return stringOf(side.repo.full_name)?.toLowerCase();
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
