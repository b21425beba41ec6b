/**
 * The GitHub REST client: @actions/github's Octokit with the retry and throttling plugins.
 * Built from what is passed in (token, API URL, logger, timings) so tests aim it at a loopback
 * server and wait milliseconds instead of seconds.
 */
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import type { Logger } from '../engine/types.js';

export type GitHubClient = ReturnType<typeof getOctokit>;

export interface GitHubTimings {
  /** Milliseconds per second of a retry-after wait: 1000 in a run, about 1 in tests. */
  readonly msPerSecond: number;
  /** Retries of a 5xx (or 429) answer and of a rate-limited request. */
  readonly retries: number;
  /** The longest rate-limit wait worth taking, in seconds; beyond it the call fails. */
  readonly maxRateLimitWaitSeconds: number;
  /** GitHub asks for about a second between mutating calls; tests turn the spacing off. */
  readonly spaceWrites: boolean;
}

export const DEFAULT_TIMINGS: GitHubTimings = {
  msPerSecond: 1000,
  retries: 3,
  maxRateLimitWaitSeconds: 120,
  spaceWrites: true
};

export interface ClientOptions {
  readonly token: string;
  /** GITHUB_API_URL, such as https://api.github.com or a GHES URL. */
  readonly apiUrl: string;
  readonly log: Logger;
  readonly timings?: GitHubTimings;
}

export function createGitHubClient(options: ClientOptions): GitHubClient {
  const timings = options.timings ?? DEFAULT_TIMINGS;
  const { log } = options;
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: { method: string; url: string }, _o: unknown, count: number) => {
      const retrying = count < timings.retries && retryAfter <= timings.maxRateLimitWaitSeconds;
      log.warning(
        `GitHub ${kind} rate limit on ${request.method} ${request.url}: ${
          retrying ? `retrying in ${retryAfter} s` : 'giving up'
        }.`
      );
      return retrying;
    };
  return getOctokit(
    options.token,
    {
      baseUrl: options.apiUrl.replace(/\/+$/, ''),
      log: {
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: () => undefined
      },
      retry: {
        retries: timings.retries,
        retryAfterBaseValue: timings.msPerSecond,
        // 429 joins the plugin's defaults: the throttling plugin waits it out using retry-after.
        doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451]
      },
      throttle: {
        retryAfterBaseValue: timings.msPerSecond,
        fallbackSecondaryRateRetryAfter: 60,
        onRateLimit: onLimit('primary'),
        onSecondaryRateLimit: onLimit('secondary'),
        ...(timings.spaceWrites ? {} : unspacedGroups())
      }
    },
    retry,
    throttling
  );
}

/**
 * The throttling plugin spaces writes through shared Bottleneck groups; these stand-ins run each
 * job at once. They implement only what the plugin calls: `key(id).schedule(options, fn, ...args)`.
 */
function unspacedGroups() {
  const immediate = {
    key: () => ({
      schedule: (_options: unknown, fn: (...args: unknown[]) => unknown, ...args: unknown[]) =>
        Promise.resolve().then(() => fn(...args))
    })
  };
  type Group = NonNullable<Parameters<typeof throttling>[1]['throttle']>['write'];
  const group = immediate as unknown as Group;
  return { global: group, write: group, search: group, notifications: group, auth: group };
}
