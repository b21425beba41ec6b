/**
 * The action's own calls to Google's REST APIs: one small client over fetch with the credentials
 * of the job. Phases receive it through TaskContext, so tests pass a fake or point it at a
 * loopback stand-in. Errors carry Google's status and reason, and a message a user can act on.
 */
import type { AuthClient } from 'google-auth-library';
import type { EndpointOf } from './endpoints.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface GoogleRequest {
  /** The API's host name part, e.g. `cloudresourcemanager` for cloudresourcemanager.googleapis.com. */
  readonly service: string;
  readonly method?: HttpMethod;
  /** Path from the API's root, e.g. `/v1/projects/my-project:testIamPermissions`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: unknown;
  /**
   * A body sent as it is, with its own content type, instead of `body` as JSON (Cloud Storage's
   * media upload: the object's bytes are the request body).
   */
  readonly rawBody?: {
    readonly contentType: string;
    readonly data: string | Uint8Array<ArrayBuffer>;
  };
  /**
   * `text`: the answer's body as a string instead of parsed JSON (an object's content, `alt=media`).
   * Errors are still read as Google's JSON error body.
   */
  readonly answer?: 'json' | 'text';
}

export interface GoogleApi {
  request<T>(request: GoogleRequest): Promise<T>;
  /** A current OAuth access token of the job's identity (refreshed by the client when near expiry). */
  accessToken(): Promise<string>;
}

/**
 * Google's error body: {error: {code, message, status, details: [{reason, metadata}]}}. Compute
 * Engine also sends (and sometimes only sends) the older {error: {errors: [{reason, message}]}};
 * its reason (e.g. `resourceNotReady`) is kept when details name none.
 */
export class GoogleApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly status: string | undefined,
    readonly reason: string | undefined,
    readonly googleMessage: string,
    readonly call: string
  ) {
    super(
      `${call} answered ${httpStatus}${status ? ` ${status}` : ''}${reason ? ` (${reason})` : ''}: ${googleMessage}`
    );
    this.name = 'GoogleApiError';
  }
}

export interface GoogleApiDeps {
  readonly auth: Pick<AuthClient, 'getAccessToken'>;
  readonly endpointOf: EndpointOf;
  readonly fetch?: typeof fetch;
  /** Waits between retries of a GET (429 and 5xx). */
  readonly sleep?: (ms: number) => Promise<void>;
}

const RETRIES = 3;

export function createGoogleApi(deps: GoogleApiDeps): GoogleApi {
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const accessToken = async (): Promise<string> => {
    const { token } = await deps.auth.getAccessToken();
    if (!token) throw new Error('Google returned no access token for the job credentials.');
    return token;
  };
  return {
    accessToken,
    async request<T>(request: GoogleRequest): Promise<T> {
      const method = request.method ?? 'GET';
      const url = new URL(`${deps.endpointOf(request.service)}${request.path}`);
      for (const [key, value] of Object.entries(request.query ?? {})) {
        for (const item of typeof value === 'string' ? [value] : value) {
          url.searchParams.append(key, item);
        }
      }
      const call = `${method} ${request.service}.googleapis.com${request.path}`;
      const sent = bodyOf(request);
      const asText = request.answer === 'text';
      for (let attempt = 1; ; attempt++) {
        const response = await doFetch(url, {
          method,
          headers: {
            authorization: `Bearer ${await accessToken()}`,
            accept: asText ? '*/*' : 'application/json',
            ...(sent ? { 'content-type': sent.contentType } : {})
          },
          ...(sent ? { body: sent.data } : {})
        });
        const text = await response.text();
        if (response.ok && asText) return text as T;
        if (response.ok) return (text.trim() === '' ? {} : JSON.parse(text)) as T;
        const retryable = method === 'GET' && (response.status === 429 || response.status >= 500);
        if (retryable && attempt < RETRIES) {
          await sleep(500 * 2 ** (attempt - 1));
          continue;
        }
        throw errorOf(response.status, text, call);
      }
    }
  };
}

function bodyOf(
  request: GoogleRequest
): { contentType: string; data: string | Uint8Array<ArrayBuffer> } | undefined {
  if (request.rawBody && request.body !== undefined) {
    throw new Error(`${request.path}: a request has either a JSON body or a raw body, not both.`);
  }
  if (request.rawBody) return request.rawBody;
  return request.body === undefined
    ? undefined
    : { contentType: 'application/json', data: JSON.stringify(request.body) };
}

function errorOf(httpStatus: number, text: string, call: string): GoogleApiError {
  try {
    const body = JSON.parse(text) as {
      error?: {
        message?: string;
        status?: string;
        details?: { reason?: string }[];
        errors?: { reason?: string }[];
      };
    };
    // Newer APIs give the reason in details (ErrorInfo); Cloud Storage's JSON API in errors[].
    const reason =
      body.error?.details?.find((d) => typeof d.reason === 'string')?.reason ??
      body.error?.errors?.find((e) => typeof e.reason === 'string')?.reason;
    return new GoogleApiError(
      httpStatus,
      body.error?.status,
      reason,
      body.error?.message ?? text.slice(0, 300),
      call
    );
  } catch {
    return new GoogleApiError(httpStatus, undefined, undefined, text.slice(0, 300), call);
  }
}
