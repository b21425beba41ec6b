/**
 * SHA-256 of flyte-binary chart archives by chart version: the `digest` the repository's
 * index.yaml (https://flyteorg.github.io/flyte/index.yaml) lists for that version, copied here so
 * that neither the index, a mirror nor the kept archive in the tool cache decides what is
 * installed. `scripts/refresh-pins.mjs` prints the row for a version.
 *
 * TO FILL: v1.16.8's digest could not be read from this workplace (no network, and no public
 * copy of the index entry was found). Until its row is added, v1.16.8 is checked against the
 * index as fetched over HTTPS on every use, and the run warns that the chart is unpinned.
 */
export const CHART_PINS: Readonly<Record<string, string>> = {};
