/**
 * Compute Engine's aggregatedList: one resource type across every zone or region of a project.
 * `GET compute.googleapis.com/compute/v1/projects/P/aggregated/COLLECTION?filter=…` answers
 * {items: {"zones/Z" | "regions/R" | "global": {COLLECTION: [...]} or {warning}}, nextPageToken,
 * unreachables}; a scope with nothing holds only a warning. `unreachables` names scopes Google
 * could not read this time, so a list with any is incomplete.
 * Reference: cloud.google.com/compute/docs/reference/rest/v1/networkEndpointGroups/aggregatedList
 * and /forwardingRules/aggregatedList.
 */
import type { GoogleApi } from './google-api.js';

export interface AggregatedItems<T> {
  readonly items: T[];
  /** Scopes Google could not read: the items may be missing some. */
  readonly unreachables: string[];
}

interface AggregatedPage {
  items?: Record<string, Record<string, unknown> | undefined>;
  nextPageToken?: string;
  unreachables?: string[];
}

export function aggregatedPath(project: string, collection: string): string {
  return `/compute/v1/projects/${encodeURIComponent(project)}/aggregated/${collection}`;
}

/** Every page, every scope. `collection` is also the key of the scoped lists (Google's naming). */
export async function aggregatedList<T extends { name?: unknown }>(
  api: GoogleApi,
  project: string,
  collection: string,
  filter: string
): Promise<AggregatedItems<T>> {
  const items: T[] = [];
  const unreachables: string[] = [];
  let pageToken: string | undefined;
  do {
    const page = await api.request<AggregatedPage>({
      service: 'compute',
      path: aggregatedPath(project, collection),
      query: { filter, ...(pageToken ? { pageToken } : {}) }
    });
    for (const scoped of Object.values(page.items ?? {})) {
      const list = scoped?.[collection];
      if (Array.isArray(list)) {
        items.push(...(list as T[]).filter((i) => typeof i?.name === 'string'));
      }
    }
    unreachables.push(...(page.unreachables ?? []));
    pageToken = page.nextPageToken || undefined;
  } while (pageToken);
  return { items, unreachables };
}
