/**
 * Stand-in routes for the backend services the GKE Ingress controller makes and their IAP
 * policies, on the loopback GoogleServer, in the shapes Google documents:
 * - compute v1 backendServices.list: GET /compute/v1/projects/P/global/backendServices with the
 *   list filter (only `name eq "RE2"`, matched against the whole name, as Compute does for that
 *   form; anything else is refused here, so a filter the action would send wrongly fails the test),
 *   pages of `maxResults` (default 500) joined by nextPageToken; answers BackendServiceList
 *   {kind, items, nextPageToken} (cloud.google.com/compute/docs/reference/rest/v1/backendServices/list).
 * - IAP v1 getIamPolicy / setIamPolicy: POST /v1/projects/P/iap_web/compute/services/NAME:VERB
 *   (cloud.google.com/iap/docs/reference/rest/v1/TopLevel/getIamPolicy, /setIamPolicy). The Policy
 *   rules of IAM: below requestedPolicyVersion 3 a conditional binding is answered without its
 *   condition and its role suffixed `_withcond_…`; a set with a stale etag is 409 ABORTED; a set of
 *   a policy with a condition must say version 3 (400 otherwise); each write changes the etag.
 */
import { googleError, type GoogleAnswer, type GoogleServer } from './google-server.js';

export interface StandinBinding {
  role: string;
  members: string[];
  condition?: { title?: string; expression: string };
}

export interface StandinPolicy {
  version?: number;
  bindings: StandinBinding[];
  etag: string;
}

export interface StandinBackendService {
  description?: string;
  iap?: { enabled: boolean; oauth2ClientId?: string };
  policy?: StandinPolicy;
}

export interface IapRoutesModel {
  /** The project's backend services by name (read on every call). */
  services(project: string): Record<string, StandinBackendService>;
  /** Called after a policy changed (the harness writes its world back). */
  changed?(): void;
  /** Items per page when smaller than the request's maxResults (to exercise paging). */
  pageSize?: number;
}

const LIST_PATH = /^\/compute\/v1\/projects\/([^/]+)\/global\/backendServices$/;
const IAP_PATH =
  /^\/v1\/projects\/([^/]+)\/iap_web\/compute\/services\/([^/:]+):(getIamPolicy|setIamPolicy)$/;

export function serveBackendServicesAndIap(google: GoogleServer, model: IapRoutesModel): void {
  google.on('GET', 'compute', LIST_PATH, (call): GoogleAnswer => {
    const project = decodeURIComponent(LIST_PATH.exec(call.path)![1]!);
    const filter = call.query.get('filter');
    let names = Object.keys(model.services(project)).sort();
    if (filter !== null) {
      const m = /^name eq "(.*)"$/.exec(filter);
      if (!m)
        return googleError(
          400,
          'INVALID_ARGUMENT',
          `Invalid value for field 'filter': '${filter}'.`
        );
      const whole = new RegExp(`^(?:${m[1]})$`);
      names = names.filter((n) => whole.test(n));
    }
    const size = Math.min(Number(call.query.get('maxResults') ?? 500), model.pageSize ?? 500);
    const start = Number(call.query.get('pageToken') ?? 0);
    const page = names.slice(start, start + size);
    const services = model.services(project);
    return {
      body: {
        kind: 'compute#backendServiceList',
        id: `projects/${project}/global/backendServices`,
        items: page.map((name) => ({
          kind: 'compute#backendService',
          name,
          protocol: 'HTTP',
          ...(services[name]?.description ? { description: services[name].description } : {}),
          ...(services[name]?.iap ? { iap: services[name].iap } : {})
        })),
        ...(start + size < names.length ? { nextPageToken: String(start + size) } : {}),
        selfLink: `https://www.googleapis.com/compute/v1/projects/${project}/global/backendServices`
      }
    };
  });

  google.on('POST', 'iap', IAP_PATH, (call): GoogleAnswer => {
    const [, rawProject, rawName, verb] = IAP_PATH.exec(call.path)!;
    const project = decodeURIComponent(rawProject!);
    const name = decodeURIComponent(rawName!);
    const service = model.services(project)[name];
    if (!service) {
      return googleError(
        404,
        'NOT_FOUND',
        `Resource projects/${project}/iap_web/compute/services/${name} not found.`
      );
    }
    const policy = (service.policy ??= { bindings: [], etag: 'ACAB' });
    const body = (call.body ?? {}) as {
      options?: { requestedPolicyVersion?: number };
      policy?: { version?: number; etag?: string; bindings?: StandinBinding[] };
    };
    if (verb === 'getIamPolicy') {
      const version = body.options?.requestedPolicyVersion ?? 0;
      if (![0, 1, 3].includes(version)) {
        return googleError(400, 'INVALID_ARGUMENT', `Invalid requestedPolicyVersion ${version}.`);
      }
      const bindings =
        version === 3
          ? policy.bindings
          : policy.bindings.map((b) =>
              b.condition ? { role: `${b.role}_withcond_0a1b2c`, members: b.members } : b
            );
      const conditional = policy.bindings.some((b) => b.condition);
      // An empty policy is answered as its etag alone, as Google does.
      return {
        body: {
          ...(policy.bindings.length > 0 ? { version: conditional && version === 3 ? 3 : 1 } : {}),
          ...(bindings.length > 0 ? { bindings } : {}),
          etag: policy.etag
        }
      };
    }
    const sent = body.policy;
    if (!sent) return googleError(400, 'INVALID_ARGUMENT', 'policy is required.');
    if (sent.etag !== undefined && sent.etag !== policy.etag) {
      return googleError(
        409,
        'ABORTED',
        'There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.'
      );
    }
    const bindings = sent.bindings ?? [];
    if (bindings.some((b) => b.condition) && sent.version !== 3) {
      return googleError(400, 'INVALID_ARGUMENT', 'A policy with conditions must be version 3.');
    }
    if (bindings.some((b) => !Array.isArray(b.members) || b.members.length === 0 || !b.role)) {
      return googleError(
        400,
        'INVALID_ARGUMENT',
        'Each binding needs a role and at least one member.'
      );
    }
    service.policy = {
      version: sent.version ?? 1,
      bindings: bindings.map((b) => ({ ...b, members: [...new Set(b.members)].sort() })),
      etag: `BwY${Buffer.from(String(Date.now() + Math.random()))
        .toString('base64')
        .slice(0, 8)}=`
    };
    model.changed?.();
    return { body: service.policy };
  });
}
