/**
 * kubectl from the Kubernetes release bucket (dl.k8s.io): a single binary per version and
 * platform, not an archive, with a `.sha256` file beside it that holds only the digest
 * (kubernetes.io/docs/tasks/tools/install-kubectl-linux/). Its own download rather than a gcloud
 * component, so the plan's kubectl reads of the release never wait for gcloud's 180 MB. `latest`
 * reads stable.txt, which names the newest stable release (`v1.36.1`).
 */
import { DEFAULT_VERSIONS } from '../../inputs.js';
import { hashFor } from '../checksum.js';
import type { Recipe } from '../download.js';
import { goArch, type Platform } from '../sources.js';

const RELEASE = 'https://dl.k8s.io/release';

const binaryUrl = (version: string, platform: Platform) =>
  `${RELEASE}/v${version}/bin/${platform.os}/${goArch(platform)}/kubectl`;

/** The pin row's name: every download is called `kubectl`, so the row names version and platform. */
export const kubectlPinName = (version: string, platform: Platform) =>
  `kubectl-v${version}-${platform.os}-${goArch(platform)}`;

export const kubectlRecipe: Recipe = {
  tool: 'kubectl',
  inputName: 'kubectl-version',
  knownGood: DEFAULT_VERSIONS.kubectl,
  latestUrl: `${RELEASE}/stable.txt`,
  parseLatest: (body) => body.trim() || undefined,
  archiveUrl: binaryUrl,
  archiveKind: 'file',
  pinName: kubectlPinName,
  checksumSource: (version, platform) => `${binaryUrl(version, platform)}.sha256`,
  expectedSha256: async (version, platform, from) => {
    const url = `${binaryUrl(version, platform)}.sha256`;
    const hash = hashFor(await from.text(url), 'kubectl');
    if (!hash) throw new Error(`${from.fetchedUrl(url)} holds no SHA-256`);
    return hash;
  },
  binDir: () => '.',
  system: {
    tool: 'kubectl',
    inputName: 'kubectl-version',
    args: ['version', '--client', '--output=json'],
    // {"clientVersion":{"gitVersion":"v1.36.1",...},"kustomizeVersion":"v5.7.1"}
    parse: (stdout) => {
      try {
        const answer = JSON.parse(stdout) as { clientVersion?: { gitVersion?: unknown } };
        const version = answer.clientVersion?.gitVersion;
        return typeof version === 'string' ? version.replace(/^v/, '') : undefined;
      } catch {
        return undefined;
      }
    }
  }
};
