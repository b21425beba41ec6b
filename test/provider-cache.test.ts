/**
 * Terraform providers from the runner's tool cache. The stand-in terraform installs providers as
 * terraform does (a cache entry only when the lock file holds its h1: checksum, else a download
 * checked against the lock's zh: hashes, after which init adds the h1: checksum), so these tests
 * count what a warm runner downloads: nothing, even from a fresh checkout of the lock file.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  keepLockFile,
  lockKey,
  pluginCacheDir,
  providerCache,
  restoreLockFile
} from '../src/terraform/provider-cache.js';
import { Harness } from './support/harness.js';
import { copyModuleForStandins } from './support/provider-registry.js';

const LOCK = `# This file is maintained automatically by "terraform init".
provider "registry.terraform.io/hashicorp/google" {
  version     = "6.50.0"
  constraints = "~> 6.0"
  hashes = [
    "zh:1f3513fcfcbf7ca53d667a168c5067a4dd91a4d4cccd19743e248ff31065503c",
  ]
}
`;
const WITH_H1 = LOCK.replace(
  '    "zh:',
  '    "h1:79CwMTsp3Ud1nOl5hFS5mxQHyT0fGVye7pqpU0PPlHI=",\n    "zh:'
);

describe('the provider cache, unit by unit', () => {
  it('keys a lock file by its providers and zh: hashes, not the h1: lines init adds', () => {
    expect(lockKey(WITH_H1)).toBe(lockKey(LOCK));
    expect(lockKey(LOCK.replace('6.50.0', '6.51.0'))).not.toBe(lockKey(LOCK));
    expect(lockKey(LOCK.replace('zh:1f', 'zh:2f'))).not.toBe(lockKey(LOCK));
  });

  it('keeps the lock file init completed and puts it back into a fresh checkout', () => {
    const toolCache = mkdtempSync(path.join(os.tmpdir(), 'tool-cache-'));
    const module = mkdtempSync(path.join(os.tmpdir(), 'module-'));
    const lockFile = path.join(module, '.terraform.lock.hcl');
    writeFileSync(lockFile, LOCK);
    const cache = providerCache(toolCache, module, 'linux_amd64')!;
    expect(cache.pluginDir).toBe(pluginCacheDir(toolCache, 'linux_amd64'));
    expect(restoreLockFile(cache, module)).toBe('nothing kept');
    // init added the h1: checksum; the action keeps that file once.
    writeFileSync(lockFile, WITH_H1);
    expect(keepLockFile(cache, module)).toBe(true);
    expect(keepLockFile(cache, module)).toBe(false);
    // A fresh checkout: the committed lock file, without h1:.
    writeFileSync(lockFile, LOCK);
    expect(restoreLockFile(cache, module)).toBe('restored');
    expect(readFileSync(lockFile, 'utf8')).toBe(WITH_H1);
    expect(restoreLockFile(cache, module)).toBe('already complete');
    // Another provider version is another key: nothing of the old one is put back.
    writeFileSync(lockFile, LOCK.replace('6.50.0', '6.51.0'));
    const other = providerCache(toolCache, module, 'linux_amd64')!;
    expect(other.lockCopy).not.toBe(cache.lockCopy);
    expect(restoreLockFile(other, module)).toBe('nothing kept');
  });
});

describe('a poisoned kept lock file', () => {
  it('never adds h1: checksums to a committed lock file that has its own', () => {
    const toolCache = mkdtempSync(path.join(os.tmpdir(), 'tool-cache-'));
    const module = mkdtempSync(path.join(os.tmpdir(), 'module-'));
    const lockFile = path.join(module, '.terraform.lock.hcl');
    writeFileSync(lockFile, WITH_H1);
    const cache = providerCache(toolCache, module, 'linux_amd64')!;
    // A neighbour keeps a copy with one more h1: line, for a provider folder it planted.
    const forged = WITH_H1.replace(
      'hashes = [',
      'hashes = [\n    "h1:PLANTEDplantedPLANTEDplantedPLANTEDplanted000=",'
    );
    expect(lockKey(forged)).toBe(cache.key);
    mkdirSync(path.dirname(cache.lockCopy), { recursive: true });
    writeFileSync(cache.lockCopy, forged);
    expect(restoreLockFile(cache, module)).toBe('already complete');
    expect(readFileSync(lockFile, 'utf8')).toBe(WITH_H1);
  });
});

describe('a warm runner downloads no provider', () => {
  let harness: Harness;
  const inputs = {
    'project-id': 'acme-flyte-providers',
    'cluster-name': 'flyte-providers',
    'workload-identity-provider':
      'projects/123456789012/locations/global/workloadIdentityPools/github/providers/acme',
    'gcloud-version': 'system',
    'terraform-version': 'system',
    'helm-version': 'system',
    'comment-on-pr': 'false'
  };
  const providerDownloads = (since: number) =>
    harness.upstream.requests
      .slice(since)
      .filter((r) => r.path.includes('terraform-provider-') || r.path.includes('/v1/providers/'));
  beforeAll(async () => {
    harness = await Harness.create({ oidc: true });
  });
  afterAll(async () => {
    await harness.close();
  });

  it('a cold runner downloads each provider once, checked against the lock file', async () => {
    const result = await harness.run(inputs);
    await harness.runPost();
    expect(result.errors).toEqual([]);
    expect(providerDownloads(0).map((r) => r.path.split('/').pop())).toEqual([
      'amd64',
      'terraform-provider-google_6.50.0_linux_amd64.zip',
      'amd64',
      'terraform-provider-random_3.7.2_linux_amd64.zip'
    ]);
    expect(result.stdout).toContain('- Installed hashicorp/google v6.50.0 (signed by HashiCorp)');
    const init = result.calls.find((c) => c.tool === 'terraform' && c.args[0] === 'init')!;
    expect(init.env.TF_PLUGIN_CACHE_DIR).toBe(pluginCacheDir(harness.toolCache));
    expect(result.stdout).toContain("Kept the lock file with the providers' h1: checksums");
  });

  it('a fresh checkout on the warm runner: the lock file is completed from the cache, nothing is downloaded', async () => {
    copyModuleForStandins(harness.moduleDir); // the committed lock file again, zh: only
    const sent = harness.upstream.requests.length;
    const result = await harness.run(inputs);
    await harness.runPost();
    expect(result.errors).toEqual([]);
    expect(providerDownloads(sent)).toEqual([]);
    expect(harness.upstream.requests.slice(sent)).toEqual([]);
    expect(result.stdout).toContain('Put back the lock file an earlier init on this runner left');
    expect(result.stdout).toContain(
      '- Using hashicorp/google v6.50.0 from the shared cache directory'
    );
  });

  it('a cache entry changed on disk no longer matches its h1: checksum and is downloaded again', async () => {
    const entry = path.join(
      pluginCacheDir(harness.toolCache),
      'registry.terraform.io/hashicorp/google/6.50.0/linux_amd64'
    );
    const [binary] = readdirSync(entry);
    writeFileSync(path.join(entry, binary!), 'tampered');
    const sent = harness.upstream.requests.length;
    const result = await harness.run(inputs);
    await harness.runPost();
    expect(result.errors).toEqual([]);
    expect(providerDownloads(sent).map((r) => r.path.split('/').pop())).toEqual([
      'amd64',
      'terraform-provider-google_6.50.0_linux_amd64.zip'
    ]);
  });
});
