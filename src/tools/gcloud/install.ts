/**
 * The gcloud CLI from Google's versioned archives (a tar.gz holding `google-cloud-sdk/`), as it
 * is: no component is installed, since kubectl is its own download (kubectl/install.ts) and the
 * action's exec credential plugin stands in for gke-gcloud-auth-plugin. `latest` reads the
 * version field of the channel's component manifest, components-2.json.
 */
import path from 'node:path';
import { StepError } from '../../errors.js';
import { DEFAULT_VERSIONS } from '../../inputs.js';
import { hashFor } from '../checksum.js';
import { HttpStatusError } from '../http.js';
import type { Recipe } from '../download.js';
import type { Platform } from '../sources.js';
import { versionArgs } from './args.js';

const CHANNEL = 'https://dl.google.com/dl/cloudsdk/channels/rapid';

export function gcloudArchiveName(version: string, platform: Platform): string {
  const arch = platform.arch === 'x64' ? 'x86_64' : 'arm';
  return `google-cloud-cli-${version}-${platform.os}-${arch}.tar.gz`;
}

const archiveUrl = (version: string, platform: Platform) =>
  `${CHANNEL}/downloads/${gcloudArchiveName(version, platform)}`;

export const gcloudRecipe: Recipe = {
  tool: 'gcloud',
  inputName: 'gcloud-version',
  knownGood: DEFAULT_VERSIONS.gcloud,
  latestUrl: `${CHANNEL}/components-2.json`,
  parseLatest: (body) => {
    const manifest = JSON.parse(body) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : undefined;
  },
  archiveUrl,
  archiveKind: 'tar.gz',
  checksumSource: (version, platform) =>
    `${archiveUrl(version, platform)}.sha256 on tool-mirror (Google publishes none)`,
  // Only under allow-unpinned-tools: Google publishes no checksum file, so only a mirror's
  // `.sha256` beside the archive can vouch for a version without a pin.
  expectedSha256: async (version, platform, from) => {
    const name = gcloudArchiveName(version, platform);
    try {
      const hash = hashFor(await from.text(`${archiveUrl(version, platform)}.sha256`), name);
      if (hash) return hash;
    } catch (error) {
      if (!(error instanceof HttpStatusError && error.status === 404)) throw error;
    }
    throw new StepError(
      'install-tools',
      `gcloud ${version} cannot be verified: it has no pin in the action's source, and Google publishes no checksum file for ${name}. Set gcloud-version to a pinned version, set it to 'system' with gcloud installed in an earlier step, or serve ${name}.sha256 next to the archive on tool-mirror.`
    );
  },
  binDir: () => path.join('google-cloud-sdk', 'bin'),
  // gcloud's Python writes its bytecode caches inside the SDK as it runs.
  addsFiles: true,
  system: {
    tool: 'gcloud',
    inputName: 'gcloud-version',
    args: versionArgs(),
    parse: (stdout) => {
      try {
        const answer = JSON.parse(stdout) as Record<string, unknown>;
        const version = answer['Google Cloud SDK'];
        return typeof version === 'string' ? version : undefined;
      } catch {
        return undefined;
      }
    }
  }
};
