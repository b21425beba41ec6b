/**
 * Stand-in Compute Engine aggregatedList routes on the loopback GoogleServer, in the shape Google
 * documents: GET /compute/v1/projects/P/aggregated/COLLECTION answers
 * {kind, items: {"zones/Z" | "regions/R": {COLLECTION: [...]} or {warning: NO_RESULTS_ON_PAGE}},
 * nextPageToken, unreachables}. The filter must be the `FIELD eq "RE2"` form (matched against the
 * whole field, as Compute does); any other is refused, so a wrong filter fails the test.
 * (cloud.google.com/compute/docs/reference/rest/v1/networkEndpointGroups/aggregatedList,
 * /forwardingRules/aggregatedList)
 */
import { googleError, type GoogleAnswer, type GoogleServer } from './google-server.js';

export interface AggregatedModel {
  /** The project's resources; each names its scope (`zone` or `region`, a short name). */
  items(project: string): Record<string, unknown>[];
  /** Scopes Google could not read this time. */
  unreachables?: () => string[];
  /** Items per page (default all). */
  pageSize?: number;
}

const KIND: Record<string, string> = {
  networkEndpointGroups: 'compute#networkEndpointGroupAggregatedList',
  forwardingRules: 'compute#forwardingRuleAggregatedList'
};

export function serveAggregated(
  google: GoogleServer,
  collection: 'networkEndpointGroups' | 'forwardingRules',
  model: AggregatedModel
): void {
  const path = new RegExp(`^/compute/v1/projects/([^/]+)/aggregated/${collection}$`);
  google.on('GET', 'compute', path, (call): GoogleAnswer => {
    const project = decodeURIComponent(path.exec(call.path)![1]!);
    let items = model.items(project);
    const filter = call.query.get('filter');
    if (filter !== null) {
      const m = /^(\w+) eq "(.*)"$/.exec(filter);
      if (!m) {
        return googleError(
          400,
          'INVALID_ARGUMENT',
          `Invalid value for field 'filter': '${filter}'.`
        );
      }
      const whole = new RegExp(`^(?:${m[2]})$`);
      items = items.filter((i) => whole.test(String(i[m[1]!] ?? '')));
    }
    const size = model.pageSize ?? (items.length || 1);
    const start = Number(call.query.get('pageToken') ?? 0);
    const page = items.slice(start, start + size);
    const scoped: Record<string, unknown> = {};
    for (const item of page) {
      const scope = item.zone ? `zones/${String(item.zone)}` : `regions/${String(item.region)}`;
      const entry = (scoped[scope] ??= { [collection]: [] }) as Record<string, unknown[]>;
      entry[collection]!.push(item);
    }
    // Google answers every scope; an empty one carries a warning instead of a list.
    scoped['zones/europe-west4-a'] ??= {
      warning: { code: 'NO_RESULTS_ON_PAGE', message: 'There are no results for scope.' }
    };
    const unreachables = model.unreachables?.() ?? [];
    return {
      body: {
        kind: KIND[collection],
        id: `projects/${project}/aggregated/${collection}`,
        items: scoped,
        ...(start + size < items.length ? { nextPageToken: String(start + size) } : {}),
        ...(unreachables.length > 0 ? { unreachables } : {})
      }
    };
  });
}
