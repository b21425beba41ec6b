/**
 * Terraform from releases.hashicorp.com: a zip holding the `terraform` binary, checked against
 * its pin, or (a version without one, under allow-unpinned-tools) against
 * terraform_V_SHA256SUMS once HashiCorp's signature on it (`.sig`) verifies. `latest` asks
 * HashiCorp's checkpoint service, which answers the current release in a few bytes (the
 * releases index is megabytes).
 */
import { DEFAULT_VERSIONS } from '../../inputs.js';
import { hashFor } from '../checksum.js';
import type { Recipe } from '../download.js';
import { goArch, type Platform } from '../sources.js';
import { signedSums } from './sums-signature.js';

const RELEASES = 'https://releases.hashicorp.com/terraform';

const zipName = (version: string, platform: Platform) =>
  `terraform_${version}_${platform.os}_${goArch(platform)}.zip`;
const sumsUrl = (version: string) => `${RELEASES}/${version}/terraform_${version}_SHA256SUMS`;

export const terraformRecipe: Recipe = {
  tool: 'terraform',
  inputName: 'terraform-version',
  knownGood: DEFAULT_VERSIONS.terraform,
  latestUrl: 'https://checkpoint-api.hashicorp.com/v1/check/terraform',
  parseLatest: (body) => {
    const answer = JSON.parse(body) as { current_version?: unknown };
    return typeof answer.current_version === 'string' ? answer.current_version : undefined;
  },
  archiveUrl: (version, platform) => `${RELEASES}/${version}/${zipName(version, platform)}`,
  archiveKind: 'zip',
  checksumSource: (version) => `${sumsUrl(version)}, signed by HashiCorp (.sig)`,
  expectedSha256: async (version, platform, from) => {
    const name = zipName(version, platform);
    const hash = hashFor(await signedSums(version, sumsUrl(version), from), name);
    if (!hash) throw new Error(`terraform_${version}_SHA256SUMS does not list ${name}`);
    return hash;
  },
  binDir: () => '.',
  system: {
    tool: 'terraform',
    inputName: 'terraform-version',
    args: ['version', '-json'],
    parse: (stdout) => {
      try {
        const answer = JSON.parse(stdout) as { terraform_version?: unknown };
        return typeof answer.terraform_version === 'string' ? answer.terraform_version : undefined;
      } catch {
        return undefined;
      }
    }
  }
};
