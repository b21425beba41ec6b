/**
 * The Actions cache service through @actions/cache (cache service v2: twirp calls to
 * ACTIONS_RESULTS_URL with ACTIONS_RUNTIME_TOKEN, archives in signed blob storage URLs).
 *
 * Saving uses the library's saveCache (tar of exactly the listed paths). Restoring uses its parts
 * (the twirp client, the download) but not its restoreCache, whose extraction writes wherever the
 * archive's member names point; checked-extract.ts unpacks only the entry's own paths. The
 * library reads its configuration from process.env, as the runner provides it to the action.
 * Nothing here throws: an unreachable service, a refused save or a race are results, which the
 * callers report as warnings. Loaded only when a run uses the cache (service.ts), so the library
 * and the Azure SDK it brings cost nothing at start-up.
 */
import * as cache from '@actions/cache';
import { downloadCache } from '@actions/cache/lib/internal/cacheHttpClient.js';
import {
  createTempDirectory,
  getCacheFileName,
  getCacheVersion,
  getCompressionMethod
} from '@actions/cache/lib/internal/cacheUtils.js';
import { internalCacheTwirpClient } from '@actions/cache/lib/internal/shared/cacheTwirpClient.js';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { extractChecked, UnexpectedMember, type Compression } from './checked-extract.js';
import { cacheServiceUnavailable, type CacheService } from './service.js';

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** How @actions/cache compresses on this runner (zstd when installed, else gzip). */
async function compressionOf(): Promise<{ method: string; kind: Compression }> {
  const method = await getCompressionMethod();
  return { method, kind: method === 'gzip' ? 'gzip' : 'zstd' };
}

export function actionsCacheService(env: NodeJS.ProcessEnv = process.env): CacheService {
  return {
    unavailable: () => cacheServiceUnavailable(env),
    restore: async (entry) => {
      let scratch: string | undefined;
      try {
        const compression = await compressionOf();
        const version = getCacheVersion([...entry.paths], compression.method as never, false);
        const answer = await internalCacheTwirpClient({ maxAttempts: 2 })
          .GetCacheEntryDownloadURL({ key: entry.key, restoreKeys: [], version })
          .catch((error: unknown) => {
            throw new Unreachable(reason(error));
          });
        if (!answer.ok) return { kind: 'miss' };
        // The service matches keys by prefix; anything but this exact key is someone else's.
        if (answer.matchedKey !== entry.key) return { kind: 'miss' };
        scratch = await createTempDirectory();
        const archive = path.join(scratch, getCacheFileName(compression.method as never));
        await downloadCache(answer.signedDownloadUrl, archive, { timeoutInMs: 120_000 }).catch(
          (error: unknown) => {
            throw new Unreachable(`the download failed: ${reason(error)}`);
          }
        );
        const workspace = env.GITHUB_WORKSPACE ?? process.cwd();
        const files = await extractChecked(archive, compression.kind, entry, workspace, scratch);
        return { kind: 'restored', files };
      } catch (error) {
        if (error instanceof Unreachable) return { kind: 'unavailable', why: error.message };
        if (error instanceof UnexpectedMember) return { kind: 'refused', why: error.message };
        return { kind: 'refused', why: `it could not be read (${reason(error)})` };
      } finally {
        if (scratch) rmSync(scratch, { recursive: true, force: true });
      }
    },
    save: async (entry) => {
      const missing = entry.paths.find((p) => !existsSync(p));
      if (missing) return { kind: 'not saved', why: `${missing} does not exist` };
      try {
        // saveCache reports its own failures (a key taken, the service down) and returns -1.
        const id = await cache.saveCache([...entry.paths], entry.key);
        return id === -1
          ? {
              kind: 'not saved',
              why: 'the cache service did not take it (another job may have saved this key first, or the service is unavailable; see the messages above)'
            }
          : { kind: 'saved' };
      } catch (error) {
        return { kind: 'not saved', why: reason(error) };
      }
    }
  };
}

class Unreachable extends Error {}
