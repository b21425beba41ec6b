/**
 * Downloads with retries. We do not use tool-cache's downloadTool: its retries sleep 10-20 s of
 * real time (tests could not pass a clock), and it cannot hash while streaming. Here a transient
 * failure (5xx, 408, 429, reset, timeout) is retried with backoff through `clock.sleep`; any
 * other answer (404 above all) fails at once.
 */
import { HttpClient } from '@actions/http-client';
import { createHash } from 'node:crypto';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { IncomingMessage } from 'node:http';
import type { Clock, Logger } from '../engine/types.js';

/** An HTTP answer that retrying will not change. */
export class HttpStatusError extends Error {
  readonly url: string;
  readonly status: number;
  constructor(url: string, status: number) {
    super(`${url} answered HTTP ${status}`);
    this.name = 'HttpStatusError';
    this.url = url;
    this.status = status;
  }
}

export interface Fetcher {
  /** The body as text. */
  text(url: string): Promise<string>;
  /** The body as bytes (a signature, or a file whose exact bytes a signature covers). */
  bytes(url: string): Promise<Buffer>;
  /**
   * Streams the body into a sink opened afresh for each attempt and returns the body's SHA-256
   * (hex). A failed attempt discards its sink before the next one.
   */
  stream(url: string, open: () => Sink): Promise<Streamed>;
  /** Closes kept-alive connections so they cannot hold the action's process open. */
  dispose(): void;
}

/** Where a download goes: a file, or an extractor reading standard input. */
export interface Sink {
  readonly stream: Writable;
  /** Resolves when the consumer is done: to its error if it failed (never rejects). */
  readonly finished: () => Promise<Error | undefined>;
  /** Throws away whatever this attempt produced. */
  readonly discard: () => void;
}

export interface Streamed {
  readonly sha256: string;
  /** The sink's own failure (say, tar rejecting the data); the caller checks the hash first. */
  readonly consumerError: Error | undefined;
}

export interface FetcherOptions {
  readonly clock: Clock;
  /** Attempts per request, the first included. */
  readonly attempts?: number;
  /** First backoff; it doubles after each failed attempt. */
  readonly backoffMs?: number;
  /** Idle time after which a connection counts as timed out. */
  readonly socketTimeoutMs?: number;
  /** Told about each retry so the log shows why an install is slow. */
  readonly onRetry?: (url: string, reason: string, waitMs: number) => void;
}

const TRANSIENT_STATUS = (status: number) => status >= 500 || status === 408 || status === 429;

/** The run's fetcher: retries are announced as warnings in the job log. */
export function runFetcher(ctx: { readonly clock: Clock; readonly log: Logger }): Fetcher {
  return createFetcher({
    clock: ctx.clock,
    onRetry: (url, why, waitMs) =>
      ctx.log.warning(`Download of ${url} failed (${why}); retrying in ${waitMs / 1000} s.`)
  });
}

export function createFetcher(options: FetcherOptions): Fetcher {
  const attempts = options.attempts ?? 4;
  const backoffMs = options.backoffMs ?? 1000;
  const client = new HttpClient('flyte-gke-action', [], {
    allowRetries: false,
    allowRedirects: true,
    keepAlive: true,
    socketTimeout: options.socketTimeoutMs ?? 60_000
  });

  async function withRetries<T>(url: string, attempt: (res: IncomingMessage) => Promise<T>) {
    for (let tried = 1; ; tried += 1) {
      try {
        const response = await client.get(url);
        const status = response.message.statusCode ?? 0;
        if (status !== 200) {
          response.message.resume(); // drain so the socket can be reused
          throw new HttpStatusError(url, status);
        }
        return await attempt(response.message);
      } catch (error) {
        const transient = !(error instanceof HttpStatusError) || TRANSIENT_STATUS(error.status);
        if (!transient || tried >= attempts) throw error;
        const waitMs = backoffMs * 2 ** (tried - 1);
        options.onRetry?.(url, error instanceof Error ? error.message : String(error), waitMs);
        await options.clock.sleep(waitMs);
      }
    }
  }

  const bytes = (url: string) =>
    withRetries(url, async (body) => {
      const chunks: Buffer[] = [];
      for await (const chunk of body) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    });
  return {
    text: async (url) => (await bytes(url)).toString('utf8'),
    bytes,
    stream: (url, open) =>
      withRetries(url, async (body) => {
        const hash = createHash('sha256');
        const tap = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            hash.update(chunk);
            done(null, chunk);
          }
        });
        const sink = open();
        try {
          await pipeline(body, tap, sink.stream);
        } catch (error) {
          sink.discard();
          throw error;
        }
        return { sha256: hash.digest('hex'), consumerError: await sink.finished() };
      }),
    dispose: () => client.dispose()
  };
}
