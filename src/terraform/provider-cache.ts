/**
 * Names shared by the provider caches: the lock file, the platform in Terraform's spelling, the
 * plugin cache folder and the lock file's identity.
 *
 * TF_PLUGIN_CACHE_DIR lets init reuse an unpacked provider, but only when the lock file holds its
 * `h1:` checksum for this platform (hashicorp/terraform#32129); with a `zh:`-only lock file it
 * reinstalls from the source, which is the verified zip mirror (provider-mirror.ts), not the
 * registry. The action never writes `h1:` lines into the lock file: the committed ones decide.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';

export const LOCK_FILE = '.terraform.lock.hcl';

/** Terraform's name for the runner's platform (`linux_amd64`). */
export function terraformPlatform(
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch
): string {
  const goArch = arch === 'x64' ? 'amd64' : arch;
  return `${platform === 'win32' ? 'windows' : platform}_${goArch}`;
}

/** The plugin cache folder; known before any file is read, so every step's env can name it. */
export function pluginCacheDir(toolCache: string, platform = terraformPlatform()): string {
  return path.join(toolCache, 'flyte-gke-terraform', 'plugins', platform);
}

/** The lock file's identity: its providers, versions and zh: hashes (h1: lines added by init left out). */
export function lockKey(lockText: string): string {
  const kept = lockText
    .split('\n')
    .filter((line) => !/^\s*"h1:/.test(line) && !/^\s*#/.test(line))
    .join('\n')
    .trim();
  return createHash('sha256').update(kept).digest('hex').slice(0, 16);
}
