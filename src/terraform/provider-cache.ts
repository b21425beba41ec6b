/**
 * Terraform's provider plugin cache in the runner's tool cache, so a warm runner's `terraform
 * init` downloads no provider (the google provider alone is tens of megabytes).
 *
 * Terraform uses a cache entry only when the dependency lock file holds that entry's `h1:`
 * checksum for this platform: it cannot check an unpacked folder against the registry's `zh:`
 * zip hashes, so with a lock file of `zh:` hashes only it downloads every time (hashicorp/terraform
 * #32129). `terraform init` adds the `h1:` checksum of what it downloaded and verified to the lock
 * file; that file is kept here, keyed by the providers and `zh:` hashes of the committed lock file,
 * and put back before the next init, exactly as that init would have written it. A lock file that
 * already has this platform's `h1:` checksums (`terraform providers lock -platform=linux_amd64`)
 * needs nothing restored.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = '.terraform.lock.hcl';

export interface ProviderCache {
  /** TF_PLUGIN_CACHE_DIR: terraform's own layout, shared by every lock file on this platform. */
  readonly pluginDir: string;
  /** Where the lock file as `terraform init` left it is kept, by lock key. */
  readonly lockCopy: string;
  readonly key: string;
}

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

export function providerCache(
  toolCache: string,
  terraformDir: string,
  platform = terraformPlatform()
): ProviderCache | undefined {
  const lockFile = path.join(terraformDir, LOCK_FILE);
  if (!existsSync(lockFile)) return undefined;
  const key = lockKey(readFileSync(lockFile, 'utf8'));
  return {
    pluginDir: pluginCacheDir(toolCache, platform),
    lockCopy: path.join(toolCache, 'flyte-gke-terraform', 'locks', platform, `${key}.hcl`),
    key
  };
}

/** Counts this platform's h1: checksums in a lock file. */
const h1Count = (text: string) => (text.match(/"h1:/g) ?? []).length;

/**
 * Before init: puts back the lock file an earlier init left, when it records more h1: checksums
 * for the same providers. Returns what was done, for the log.
 *
 * The kept copy lives in the tool cache, which anyone who can write to this runner can rewrite
 * together with the plugin cache beside it; so a committed lock file that already has h1:
 * checksums is never added to (those, reviewed in the repository, decide), and a restore is
 * announced as resting on the runner's integrity (see restoredLockWarning).
 */
export function restoreLockFile(
  cache: ProviderCache,
  terraformDir: string
): 'restored' | 'nothing kept' | 'already complete' {
  if (!existsSync(cache.lockCopy)) return 'nothing kept';
  const lockFile = path.join(terraformDir, LOCK_FILE);
  const current = readFileSync(lockFile, 'utf8');
  if (h1Count(current) > 0) return 'already complete';
  const kept = readFileSync(cache.lockCopy, 'utf8');
  if (lockKey(kept) !== lockKey(current) || h1Count(kept) <= h1Count(current)) {
    return 'already complete';
  }
  writeFileSync(lockFile, kept);
  return 'restored';
}

/** Said when h1: checksums came from the tool cache rather than from the repository. */
export const restoredLockWarning = (lockFile: string) =>
  `The h1: provider checksums in ${lockFile} were put back from this runner's tool cache, so on a shared self-hosted runner whoever can write that cache chooses the providers init trusts. Commit them instead (terraform providers lock -platform=linux_amd64) and the committed ones decide.`;

/** After init: keeps the lock file as init left it (with the h1: checksums it added). */
export function keepLockFile(cache: ProviderCache, terraformDir: string): boolean {
  const current = readFileSync(path.join(terraformDir, LOCK_FILE), 'utf8');
  if (lockKey(current) !== cache.key) return false;
  if (existsSync(cache.lockCopy) && readFileSync(cache.lockCopy, 'utf8') === current) return false;
  mkdirSync(path.dirname(cache.lockCopy), { recursive: true });
  writeFileSync(cache.lockCopy, current);
  return true;
}
