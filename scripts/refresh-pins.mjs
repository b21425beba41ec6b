// Prints rows for src/tools/pins/tool-pins.ts and chart-pins.ts from the publishers' own files,
// for a maintainer to check and commit (the action never reads these files at run time).
//   node scripts/refresh-pins.mjs terraform 1.14.0     rows from terraform_V_SHA256SUMS (Linux, macOS)
//   node scripts/refresh-pins.mjs helm 3.19.1          rows from each archive's .sha256sum
//   node scripts/refresh-pins.mjs chart v1.16.8        the digest the flyte-binary index lists
//   node scripts/refresh-pins.mjs chart v1.16.8 FILE   the same from a local copy of index.yaml, e.g.
//     git -C flyte show gh-pages:index.yaml > index.yaml  (the branch GitHub Pages serves)
// gcloud has no checksum file: hash the archive you downloaded from Google and compare it with
// the table on Google's versioned-archives page.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const INDEX_URL = 'https://flyteorg.github.io/flyte/index.yaml';
const [kind, version, indexFile] = process.argv.slice(2);
const PLATFORMS = [
  ['linux', 'amd64'],
  ['linux', 'arm64'],
  ['darwin', 'amd64'],
  ['darwin', 'arm64']
];

async function text(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  return response.text();
}

const row = (name, hash) => `  '${name}':\n    '${hash}',`;

if (kind === 'terraform' && version) {
  const base = `https://releases.hashicorp.com/terraform/${version}`;
  const sums = await text(`${base}/terraform_${version}_SHA256SUMS`);
  console.log(`  // terraform ${version}: ${base}/terraform_${version}_SHA256SUMS (signed: .sig)`);
  for (const [os, arch] of PLATFORMS) {
    const name = `terraform_${version}_${os}_${arch}.zip`;
    const line = sums.split('\n').find((l) => l.trim().endsWith(`  ${name}`));
    if (line) console.log(row(name, line.split(/\s+/)[0]));
  }
} else if (kind === 'helm' && version) {
  console.log(`  // helm ${version}: get.helm.sh/helm-v${version}-OS-ARCH.tar.gz.sha256sum`);
  for (const [os, arch] of PLATFORMS) {
    const name = `helm-v${version}-${os}-${arch}.tar.gz`;
    const hash = (await text(`https://get.helm.sh/${name}.sha256sum`)).trim().split(/\s+/)[0];
    console.log(row(name, hash));
  }
} else if (kind === 'chart' && version) {
  const source = indexFile ?? INDEX_URL;
  const index = parse(indexFile ? readFileSync(indexFile, 'utf8') : await text(INDEX_URL));
  const entry = index.entries['flyte-binary'].find((e) => String(e.version) === version);
  if (!entry) throw new Error(`flyte-binary ${version} is not in ${source}`);
  console.log(
    `  // ${version}: the digest ${source} lists (created ${entry.created}, ${entry.urls[0]})`
  );
  console.log(row(version, entry.digest));
} else {
  console.error(
    'usage: node scripts/refresh-pins.mjs terraform|helm VERSION, or chart VERSION [INDEX_FILE]'
  );
  process.exit(2);
}
