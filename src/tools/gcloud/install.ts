/**
 * The gcloud CLI from Google's versioned archives (a tar.gz holding `google-cloud-sdk/`), with
 * the kubectl and gke-gcloud-auth-plugin components installed before the folder is cached, so a
 * warm cache needs no network and no component step. `latest` reads the version field of the
 * channel's component manifest, components-2.json.
 */
import { runChecked } from '../../engine/run-checked.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { StepError } from '../../errors.js';
import { DEFAULT_VERSIONS } from '../../inputs.js';
import type { TaskContext } from '../../engine/types.js';
import { hashFor } from '../checksum.js';
import { HttpStatusError } from '../http.js';
import type { Recipe } from '../download.js';
import type { Platform } from '../sources.js';
import { componentsInstallArgs, GCLOUD_COMPONENTS, versionArgs } from './args.js';

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
  prepare: installComponents,
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

/** Installs kubectl and gke-gcloud-auth-plugin into a fresh SDK unless the archive has them. */
async function installComponents(root: string, ctx: TaskContext): Promise<void> {
  const bin = path.join(root, 'google-cloud-sdk', 'bin');
  const missing = () => GCLOUD_COMPONENTS.filter((name) => !existsSync(path.join(bin, name)));
  if (missing().length === 0) return;
  const failed = (exitCode: number) =>
    `gcloud components install ${GCLOUD_COMPONENTS.join(' ')} failed (exit ${exitCode}); still missing: ${missing().join(', ') || 'none'}.`;
  const result = await runChecked(ctx, {
    stepId: 'install-tools',
    title: 'Installing gcloud components',
    tool: path.join(bin, 'gcloud'),
    args: componentsInstallArgs(missing()),
    quiet: true,
    explainFailure: (r) => failed(r.exitCode)
  });
  // gcloud can exit 0 and still leave a component out (a snapshot without it).
  if (missing().length > 0) throw new StepError('install-tools', failed(result.exitCode));
}
