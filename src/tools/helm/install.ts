/**
 * Helm from get.helm.sh: a tar.gz holding `OS-ARCH/helm`, checked against the `.sha256sum` file
 * next to it. `latest` reads helm3-latest-version: the action and its chart flags target Helm 3,
 * and helm-latest-version now names Helm 4.
 */
import { DEFAULT_VERSIONS } from '../../inputs.js';
import { hashFor } from '../checksum.js';
import type { Recipe } from '../download.js';
import { goArch, type Platform } from '../sources.js';

const BASE = 'https://get.helm.sh';

const tarName = (version: string, platform: Platform) =>
  `helm-v${version}-${platform.os}-${goArch(platform)}.tar.gz`;

export const helmRecipe: Recipe = {
  tool: 'helm',
  inputName: 'helm-version',
  knownGood: DEFAULT_VERSIONS.helm,
  latestUrl: `${BASE}/helm3-latest-version`,
  parseLatest: (body) => body.trim() || undefined,
  archiveUrl: (version, platform) => `${BASE}/${tarName(version, platform)}`,
  archiveKind: 'tar.gz',
  checksumSource: (version, platform) => `${BASE}/${tarName(version, platform)}.sha256sum`,
  expectedSha256: async (version, platform, from) => {
    const name = tarName(version, platform);
    const hash = hashFor(await from.text(`${BASE}/${name}.sha256sum`), name);
    if (!hash) throw new Error(`${name}.sha256sum holds no SHA-256 for ${name}`);
    return hash;
  },
  binDir: (platform) => `${platform.os}-${goArch(platform)}`,
  system: {
    tool: 'helm',
    inputName: 'helm-version',
    args: ['version', '--short'],
    // `v3.19.0+g3d8990f`
    parse: (stdout) => /v?([0-9]+\.[0-9]+\.[0-9]+[^+\s]*)/.exec(stdout)?.[1]
  }
};
