/**
 * SHA-256 of flyte-binary chart archives by chart version: the `digest` the repository's
 * index.yaml (https://flyteorg.github.io/flyte/index.yaml) lists for that version, copied here so
 * that neither the index, a mirror nor the kept archive in the tool cache decides what is
 * installed. `scripts/refresh-pins.mjs chart VERSION [INDEX]` prints the row for a version.
 * A version without a row is checked against the index as fetched over HTTPS on every use, and
 * the run warns that the chart is unpinned.
 */
export const CHART_PINS: Readonly<Record<string, string>> = {
  // v1.16.8 (the default chart-version): the index.yaml on the gh-pages branch of flyteorg/flyte,
  // which GitHub Pages serves as https://flyteorg.github.io/flyte/index.yaml (entry created
  // 2026-08-15T00:07:07Z, URL https://flyteorg.github.io/flyte/flyte-binary-v1.16.8.tgz); the
  // SHA-256 of flyte-binary-v1.16.8.tgz on that branch is the same.
  'v1.16.8': '2a0df4fb7798c9d18e41be31c60e218f48aa19538e1cd34e33fe9faf9921bcae',
  // Flyte 2 (flyte-version: 2): the same index.yaml, entry created 2026-08-15
  // (URL https://flyteorg.github.io/flyte/flyte-binary-v2.0.42.tgz); the archive's SHA-256 is the same.
  'v2.0.42': '1404906e6372a54d256e137c3c3d3f0cc3b77e59710c58e94a61a28d9d9ee69e'
};
