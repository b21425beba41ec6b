/**
 * Google Cloud regions and their zones, so a misspelt region or zone fails before any cloud
 * call instead of after minutes of Terraform. Source: Google Cloud, "Regions and zones",
 * Available regions and zones (https://cloud.google.com/compute/docs/regions-zones), read
 * 2026-12-07. A region Google opens later is refused until this table is updated: the error says
 * so, and one line here adds it.
 */
const ABC = ['a', 'b', 'c'] as const;

export const REGION_LIST_SOURCE =
  'Google Cloud "Regions and zones" (cloud.google.com/compute/docs/regions-zones), as of 2026-12-07';

/** Region → the letters of its zones. */
export const REGIONS: Readonly<Record<string, readonly string[]>> = {
  'africa-south1': ABC,
  'asia-east1': ABC,
  'asia-east2': ABC,
  'asia-northeast1': ABC,
  'asia-northeast2': ABC,
  'asia-northeast3': ABC,
  'asia-south1': ABC,
  'asia-south2': ABC,
  'asia-southeast1': ABC,
  'asia-southeast2': ABC,
  'australia-southeast1': ABC,
  'australia-southeast2': ABC,
  'europe-central2': ABC,
  'europe-north1': ABC,
  'europe-north2': ABC,
  'europe-southwest1': ABC,
  'europe-west1': ['b', 'c', 'd'],
  'europe-west2': ABC,
  'europe-west3': ABC,
  'europe-west4': ABC,
  'europe-west6': ABC,
  'europe-west8': ABC,
  'europe-west9': ABC,
  'europe-west10': ABC,
  'europe-west12': ABC,
  'me-central1': ABC,
  'me-central2': ABC,
  'me-west1': ABC,
  'northamerica-northeast1': ABC,
  'northamerica-northeast2': ABC,
  'northamerica-south1': ABC,
  'southamerica-east1': ABC,
  'southamerica-west1': ABC,
  'us-central1': ['a', 'b', 'c', 'f'],
  'us-east1': ['b', 'c', 'd'],
  'us-east4': ABC,
  'us-east5': ABC,
  'us-south1': ABC,
  'us-west1': ABC,
  'us-west2': ABC,
  'us-west3': ABC,
  'us-west4': ABC
};

/** Edits (insert, delete, substitute) between two short names; a typo is one or two. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The known names closest to `name` (ties all listed, alphabetical). */
export function nearest(name: string, known: readonly string[]): string[] {
  const scored = known.map((k) => ({ k, d: editDistance(name, k) }));
  const best = Math.min(...scored.map((s) => s.d));
  return scored
    .filter((s) => s.d === best)
    .map((s) => s.k)
    .sort();
}

/** Why `region` is not a known region, or undefined when it is. */
export function unknownRegion(region: string): string | undefined {
  if (REGIONS[region]) return undefined;
  const guess = nearest(region, Object.keys(REGIONS)).join(' or ');
  return `${JSON.stringify(region)} is not a Google Cloud region. Did you mean ${guess}? (Known regions: ${REGION_LIST_SOURCE}; a region opened since then needs an update of src/regions.ts.)`;
}

/** Why `zone` is not a zone of `region`, or undefined when it is. */
export function zoneOutsideRegion(zone: string, region: string): string | undefined {
  const letters = REGIONS[region] ?? [];
  const zones = letters.map((letter) => `${region}-${letter}`);
  if (zones.includes(zone)) return undefined;
  return `${JSON.stringify(zone)} is not a zone of region ${region}, whose zones are ${zones.join(', ')}. Use those where your GPU type is offered (gcloud compute accelerator-types list).`;
}
