/**
 * SHA-256 of gcloud CLI archives. Google publishes no checksum file next to its archives (its
 * download page shows a table for the current release only, and the component manifest
 * components-vV.json covers the individual components, not the bundled archive), so the action
 * ships the checksums it trusts. Add a row per pinned version after checking it against Google's
 * download page.
 *
 * For a version without a row, a mirror may publish `ARCHIVE.sha256` next to the archive (see
 * sources.ts); without either, the install fails: gcloud is never installed unverified.
 */
export const KNOWN_GCLOUD_SHA256: Readonly<Record<string, string>> = {
  // Source: a public install script that verifies this digest before unpacking (the default version).
  'google-cloud-cli-588.0.0-linux-x86_64.tar.gz':
    'e38ceac43022bb5a4d94d5a4a9c9c51f90f28c910b59a018ae07011e220c4412',
  // Source: a public build rule that copied it from Google's versioned-archives page.
  'google-cloud-cli-531.0.0-linux-x86_64.tar.gz':
    'ad1a0fca18ad21ac163c949b8490e4a3fc6c77a9643da7c5e60dc767bb48044c',
  // Source: a public configuration pinning this archive (not yet checked against Google's page).
  'google-cloud-cli-575.0.1-linux-x86_64.tar.gz':
    '38198fa76b1aa64a332fadca7dba45f96c6dbb5cd9e77f173f9d6a65443e37ab',
  'google-cloud-cli-575.0.1-linux-arm.tar.gz':
    'e5c3a354d4c5775eccede626746547d6d3dc3f59db350f62f05dbc604eec5e3f'
};
