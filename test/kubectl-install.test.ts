/**
 * kubectl as its own tool: a single binary from dl.k8s.io (through the loopback mirror), checked
 * against the digest pinned in the action's source before it is made executable, and its tool
 * cache entry checked against the kept download on every use. Attacks: a binary rewritten on the
 * mirror (with a checksum file to match), a cache entry rewritten under its complete marker, with
 * its kept download too, and an extra file dropped beside it.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_VERSIONS } from '../src/inputs.js';
import { installAndRecord, pinKey, type InstallDeps } from '../src/tools/download.js';
import { kubectlRecipe } from '../src/tools/kubectl/install.js';
import { SHIPPED_PINS } from '../src/tools/pins/pin-table.js';
import { currentPlatform } from '../src/tools/sources.js';
import { buildArchive, Mirror, mirrorPath, publish, sha256 } from './support/mirror.js';
import { type TestContext } from './support/task-context.js';
import { useToolMirror } from './support/tool-mirror.js';

const platform = currentPlatform();
const tools = useToolMirror();
let mirror: Mirror;
beforeAll(() => {
  mirror = tools.mirror;
});

const context = (version: string, env: NodeJS.ProcessEnv = {}) =>
  tools.context({ 'kubectl-version': version }, env);

const deps = (ctx: TestContext, allowUnpinned = false): InstallDeps =>
  tools.deps(ctx, { allowUnpinned });

const install = (ctx: TestContext, allowUnpinned = false) =>
  installAndRecord(kubectlRecipe, ctx.inputs.tools.kubectl, deps(ctx, allowUnpinned));

const binaryPath = (version: string) =>
  mirrorPath(mirror, kubectlRecipe.archiveUrl(version, platform));

/** A stand-in that leaves a mark when it runs, so a test can tell it never ran. */
const marking = (mark: string) => `#!/bin/sh\ncat >/dev/null\ntouch '${mark}'\necho planted\n`;

const cacheEntry = (ctx: TestContext, version: string) =>
  path.join(ctx.env.RUNNER_TOOL_CACHE ?? '', 'kubectl', version, platform.arch);

describe('the kubectl download', () => {
  it('comes from the Kubernetes release layout, one binary per version and platform', () => {
    expect(kubectlRecipe.archiveUrl('1.36.1', { os: 'linux', arch: 'x64' })).toBe(
      'https://dl.k8s.io/release/v1.36.1/bin/linux/amd64/kubectl'
    );
    expect(kubectlRecipe.archiveUrl('1.36.1', { os: 'linux', arch: 'arm64' })).toBe(
      'https://dl.k8s.io/release/v1.36.1/bin/linux/arm64/kubectl'
    );
    expect(binaryPath('1.36.1')).toMatch(
      /^\/dl\.k8s\.io\/release\/v1\.36\.1\/bin\/\w+\/\w+\/kubectl$/
    );
    expect(kubectlRecipe.latestUrl).toBe('https://dl.k8s.io/release/stable.txt');
  });

  it('the default version is pinned in the action source for linux amd64 and arm64', () => {
    expect(DEFAULT_VERSIONS.kubectl).toBe('1.36.1');
    const row = (arch: string) =>
      SHIPPED_PINS.tools[pinKey(kubectlRecipe, DEFAULT_VERSIONS.kubectl, { os: 'linux', arch })];
    expect(row('x64')).toBe('629d3f410e09bf49b64ae7079f7f0bda1191efed311f7d37fdbab0ad5b0ec2b7');
    expect(row('arm64')).toBe('59f7ee8e477fae658447607dc3c8790ac17a1b016c01c622c12070e969e2d4e7');
  });

  it('installs the pinned binary as an executable; only the binary is fetched, the pin decides', async () => {
    const binary = buildArchive('kubectl', '1.35.2', platform);
    publish(mirror, kubectlRecipe, binary, platform);
    const ctx = context('1.35.2');
    const installed = await install(ctx);
    expect(installed).toMatchObject({ version: '1.35.2', source: 'mirror' });
    const file = path.join(installed.path, 'kubectl');
    expect(statSync(file).mode & 0o111).not.toBe(0);
    expect(sha256(readFileSync(file))).toBe(binary.sha256);
    const out = execFileSync(file, ['version', '--client', '--output=json'], { input: '' });
    expect(JSON.parse(out.toString())).toEqual({ clientVersion: { gitVersion: 'v1.35.2' } });
    expect(mirror.requestsFor('v1.35.2').map((r) => r.path)).toEqual([binaryPath('1.35.2')]);
    expect(ctx.state.tools.kubectl).toEqual(installed);
    expect(ctx.paths).toEqual([installed.path]);

    // Warm: the entry is checked and used, with no request.
    const sent = mirror.requests.length;
    const warm = context('1.35.2', { RUNNER_TOOL_CACHE: ctx.env.RUNNER_TOOL_CACHE });
    expect(await install(warm)).toEqual({ ...installed, source: 'cache' });
    expect(mirror.requests.length).toBe(sent);
  });

  it('a binary rewritten on the mirror, with a checksum file to match, is refused before it runs', async () => {
    const genuine = buildArchive('kubectl', '1.35.3', platform);
    publish(mirror, kubectlRecipe, genuine, platform); // pins the genuine binary
    const ctx = context('1.35.3');
    const mark = path.join(ctx.dir, 'planted-ran');
    const forged = buildArchive('kubectl', '1.35.3', platform, 0, { kubectl: marking(mark) });
    publish(mirror, kubectlRecipe, forged, platform, { pin: false });
    await expect(install(ctx)).rejects.toThrow(
      `kubectl 1.35.3: the SHA-256 of ${mirror.url}${binaryPath('1.35.3')} is ${forged.sha256}, but the digest pinned in the action's source is ${genuine.sha256}. Nothing was unpacked or installed.`
    );
    expect(existsSync(mark)).toBe(false);
    expect(existsSync(path.join(ctx.env.RUNNER_TOOL_CACHE ?? '', 'kubectl', '1.35.3'))).toBe(false);
    expect(readdirSync(ctx.env.RUNNER_TEMP ?? '')).toEqual([]);
    expect(ctx.state.tools.kubectl).toBeUndefined();
    expect(ctx.paths).toEqual([]);
  });

  it('a cache entry rewritten under its complete marker is refused and put back from the verified download', async () => {
    const binary = buildArchive('kubectl', '1.35.4', platform);
    publish(mirror, kubectlRecipe, binary, platform);
    const first = context('1.35.4');
    await install(first);
    const entry = cacheEntry(first, '1.35.4');
    const mark = path.join(first.dir, 'planted-ran');
    writeFileSync(path.join(entry, 'kubectl'), marking(mark));

    const before = mirror.requestsFor('v1.35.4').length;
    const next = context('1.35.4', { RUNNER_TOOL_CACHE: first.env.RUNNER_TOOL_CACHE });
    await install(next);
    expect(next.log.lines.join('\n')).toContain(
      `kubectl 1.35.4 in the tool cache (${entry}) is not used: it was changed after install (kubectl differs from the archive)`
    );
    // The kept download still matches the pin, so it is installed again from it: no request.
    expect(mirror.requestsFor('v1.35.4').length).toBe(before);
    expect(sha256(readFileSync(path.join(entry, 'kubectl')))).toBe(binary.sha256);
    expect(existsSync(mark)).toBe(false);
  });

  it('a cache entry whose kept download was rewritten too is refused: the pin is in the source', async () => {
    const binary = buildArchive('kubectl', '1.35.5', platform);
    publish(mirror, kubectlRecipe, binary, platform);
    const first = context('1.35.5');
    await install(first);
    const entry = cacheEntry(first, '1.35.5');
    const evil = marking(path.join(first.dir, 'planted-ran'));
    writeFileSync(`${entry}.archive`, evil);
    writeFileSync(path.join(entry, 'kubectl'), evil);

    const next = context('1.35.5', { RUNNER_TOOL_CACHE: first.env.RUNNER_TOOL_CACHE });
    expect((await install(next)).source).toBe('mirror');
    expect(next.log.lines.join('\n')).toContain(
      `its kept archive has SHA-256 ${sha256(Buffer.from(evil))}, not the pinned ${binary.sha256}`
    );
  });

  it('an extra file dropped beside the cached kubectl is refused', async () => {
    publish(mirror, kubectlRecipe, buildArchive('kubectl', '1.35.6', platform), platform);
    const first = context('1.35.6');
    await install(first);
    const entry = cacheEntry(first, '1.35.6');
    writeFileSync(path.join(entry, 'gcloud'), '#!/bin/sh\necho planted\n');
    const next = context('1.35.6', { RUNNER_TOOL_CACHE: first.env.RUNNER_TOOL_CACHE });
    await install(next);
    expect(next.log.lines.join('\n')).toContain('(gcloud is not in the archive)');
    expect(readdirSync(entry)).toEqual(['kubectl']);
  });

  it('a version without a pin is refused before any download, naming its pin row and the input', async () => {
    publish(mirror, kubectlRecipe, buildArchive('kubectl', '1.34.9', platform), platform, {
      pin: false
    });
    const ctx = context('1.34.9');
    await expect(install(ctx)).rejects.toThrow(
      /kubectl 1\.34\.9: the action has no pinned SHA-256 for kubectl-v1\.34\.9-\w+-\w+,.*Set kubectl-version to a pinned version \(.*1\.36\.1.*\).*allow-unpinned-tools: true/
    );
    expect(mirror.requestsFor('v1.34.9')).toEqual([]);
  });

  it("under allow-unpinned-tools, the publisher's .sha256 (the digest alone) checks it", async () => {
    publish(mirror, kubectlRecipe, buildArchive('kubectl', '1.34.8', platform), platform, {
      pin: false
    });
    const ok = context('1.34.8');
    expect((await install(ok, true)).version).toBe('1.34.8');
    expect(mirror.requestsFor('v1.34.8').map((r) => r.path)).toEqual([
      `${binaryPath('1.34.8')}.sha256`,
      binaryPath('1.34.8')
    ]);

    publish(mirror, kubectlRecipe, buildArchive('kubectl', '1.34.7', platform), platform, {
      pin: false,
      wrongChecksum: true
    });
    const bad = context('1.34.7');
    await expect(install(bad, true)).rejects.toThrow(
      /kubectl 1\.34\.7: the SHA-256 of .* is [0-9a-f]{64}, but the publisher's checksum is [0-9a-f]{64}\./
    );
  });

  it("'latest' reads stable.txt through the mirror", async () => {
    mirror.serve(mirrorPath(mirror, kubectlRecipe.latestUrl), 'v1.37.2');
    publish(mirror, kubectlRecipe, buildArchive('kubectl', '1.37.2', platform), platform);
    expect((await install(context('latest'))).version).toBe('1.37.2');
  });

  it("'system' uses the kubectl on PATH and reads its client version", async () => {
    const ctx = context('system');
    const bin = path.join(ctx.dir, 'bin');
    mkdirSync(bin);
    const script = `#!/bin/sh\ncat >/dev/null\n[ "$*" = "version --client --output=json" ] && echo '{"clientVersion":{"gitVersion":"v1.33.4"},"kustomizeVersion":"v5.6.0"}'\n`;
    writeFileSync(path.join(bin, 'kubectl'), script, { mode: 0o755 });
    ctx.env.PATH = `${bin}${path.delimiter}${ctx.env.PATH}`;
    const before = mirror.requests.length;
    expect(await install(ctx)).toEqual({ version: '1.33.4', source: 'system', path: bin });
    expect(mirror.requests.length).toBe(before);
  });
});
