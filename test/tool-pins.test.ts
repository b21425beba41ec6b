/**
 * Attacks on the tool downloads and the tool cache, each refused because the digest that decides
 * lives in the action's source (here: the pins the tests record for their stand-in archives), not
 * in anything a mirror or a runner neighbour can write: a forged checksum file next to a wrong
 * archive, a cache entry whose binary was replaced under its complete marker, a cache entry whose
 * kept archive was replaced too, an unpinned version, and an archive unpacked before its hash
 * matched.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { installAndRecord, type InstallDeps, type Recipe } from '../src/tools/download.js';
import { currentPlatform } from '../src/tools/sources.js';
import { DEFAULT_VERSIONS } from '../src/inputs.js';
import { gcloudRecipe } from '../src/tools/gcloud/install.js';
import { helmRecipe } from '../src/tools/helm/install.js';
import { pinTable, SHIPPED_PINS } from '../src/tools/pins/pin-table.js';
import { terraformRecipe } from '../src/tools/terraform/install.js';
import { buildArchive, Mirror, mirrorPath, publish, sha256 } from './support/mirror.js';
import { type TestContext } from './support/task-context.js';
import { useToolMirror } from './support/tool-mirror.js';
import { testPins } from './support/test-pins.js';

const platform = currentPlatform();
const tools = useToolMirror();
let mirror: Mirror;
beforeAll(() => {
  mirror = tools.mirror;
});

const context = (values: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
  tools.context(values, env);
const deps = (ctx: TestContext, pins = testPins().tools, allowUnpinned = false): InstallDeps =>
  tools.deps(ctx, { pins, allowUnpinned });

const install = (recipe: Recipe, ctx: TestContext, d = deps(ctx)) =>
  installAndRecord(recipe, ctx.inputs.tools[recipe.tool], d);

const EVIL = '#!/bin/sh\necho "planted by a neighbour"\n';

describe('pinned tool digests', () => {
  it('a mirror serving another archive with a checksum file forged to match is refused', async () => {
    const genuine = buildArchive('helm', '3.16.1', platform);
    publish(mirror, helmRecipe, genuine, platform); // pins the genuine archive
    const forged = buildArchive('helm', '3.16.1', platform, 0, { helm: EVIL });
    publish(mirror, helmRecipe, forged, platform, { pin: false }); // its own matching checksum
    const ctx = context({ 'helm-version': '3.16.1' });
    await expect(install(helmRecipe, ctx)).rejects.toThrow(
      `the SHA-256 of ${mirror.url}${mirrorPath(mirror, helmRecipe.archiveUrl('3.16.1', platform))} is ${forged.sha256}, but the digest pinned in the action's source is ${genuine.sha256}. Nothing was unpacked or installed.`
    );
    // The checksum file was not even asked for: the pin decides.
    expect(mirror.requestsFor('3.16.1').map((r) => r.path)).toEqual([
      mirrorPath(mirror, helmRecipe.archiveUrl('3.16.1', platform))
    ]);
    expect(ctx.state.tools.helm).toBeUndefined();
  });

  it('a version without a pin is refused before any download, naming allow-unpinned-tools', async () => {
    publish(mirror, terraformRecipe, buildArchive('terraform', '1.12.9', platform), platform, {
      pin: false
    });
    const ctx = context({ 'terraform-version': '1.12.9' });
    await expect(install(terraformRecipe, ctx)).rejects.toThrow(
      /terraform 1\.12\.9: the action has no pinned SHA-256 for terraform_1\.12\.9_\w+\.zip.*Set terraform-version to a pinned version \(.*1\.13\.4.*\).*allow-unpinned-tools: true/
    );
    expect(mirror.requestsFor('1.12.9')).toEqual([]);
  });

  it('under allow-unpinned-tools an unpinned version installs from its checksum file, and its cache entry is never reused', async () => {
    publish(mirror, terraformRecipe, buildArchive('terraform', '1.12.8', platform), platform, {
      pin: false
    });
    const ctx = context({ 'terraform-version': '1.12.8' });
    await install(terraformRecipe, ctx, deps(ctx, testPins().tools, true));
    const again = context(
      { 'terraform-version': '1.12.8' },
      { RUNNER_TOOL_CACHE: ctx.env.RUNNER_TOOL_CACHE }
    );
    const second = await install(terraformRecipe, again, deps(again, testPins().tools, true));
    expect(second.source).toBe('mirror');
    expect(again.log.lines.join('\n')).toMatch(/its version has no pin/);
  });

  it('an archive whose hash does not match is never unpacked', async () => {
    // A tar on PATH that records each run: the old code piped the download into tar as it came.
    const spy = mkdtempSync(path.join(tmpdir(), 'tar-spy-'));
    const log = path.join(spy, 'calls.log');
    const realTar = execFileSync('sh', ['-c', 'command -v tar']).toString().trim();
    writeFileSync(path.join(spy, 'tar'), `#!/bin/sh\necho "$@" >> ${log}\nexec ${realTar} "$@"\n`);
    chmodSync(path.join(spy, 'tar'), 0o755);
    const genuine = buildArchive('helm', '3.16.2', platform);
    publish(mirror, helmRecipe, genuine, platform);
    publish(
      mirror,
      helmRecipe,
      buildArchive('helm', '3.16.2', platform, 0, { helm: EVIL }),
      platform,
      {
        pin: false
      }
    );
    const savedPath = process.env.PATH;
    process.env.PATH = `${spy}${path.delimiter}${savedPath}`;
    try {
      const ctx = context({ 'helm-version': '3.16.2' });
      await expect(install(helmRecipe, ctx)).rejects.toThrow(/Nothing was unpacked/);
      expect(existsSync(log)).toBe(false);
      // The spy works: a matching archive is unpacked through it.
      publish(mirror, helmRecipe, genuine, platform);
      await install(helmRecipe, context({ 'helm-version': '3.16.2' }));
      expect(readFileSync(log, 'utf8')).toMatch(/x/);
    } finally {
      process.env.PATH = savedPath;
    }
  });
});

describe('a poisoned tool cache', () => {
  for (const [recipe, version, binary] of [
    [helmRecipe, '3.16.3', `${platform.os}-${platform.arch === 'x64' ? 'amd64' : 'arm64'}/helm`],
    [terraformRecipe, '1.12.7', 'terraform']
  ] as const) {
    it(`${recipe.tool}: a binary replaced under the complete marker is refused and unpacked afresh from the kept archive, which still matches its pin`, async () => {
      const archive = buildArchive(recipe.tool, version, platform);
      publish(mirror, recipe, archive, platform);
      const input = { [recipe.inputName]: version };
      const first = context(input);
      await install(recipe, first);
      const toolDir = path.join(
        first.env.RUNNER_TOOL_CACHE ?? '',
        recipe.tool,
        version,
        platform.arch
      );
      expect(existsSync(`${toolDir}.complete`)).toBe(true);
      writeFileSync(path.join(toolDir, binary), EVIL); // a pull request job's parting gift

      const before = mirror.requests.length;
      const next = context(input, { RUNNER_TOOL_CACHE: first.env.RUNNER_TOOL_CACHE });
      const installed = await install(recipe, next);
      // The kept archive is hashed against the pin again, so nothing needs downloading.
      expect(installed.source).toBe('cache');
      expect(next.log.lines.join('\n')).toContain(
        `${recipe.tool} ${version} in the tool cache (${toolDir}) is not used: it was changed after install (${binary} differs from the archive)`
      );
      expect(readFileSync(path.join(toolDir, binary), 'utf8')).not.toBe(EVIL);
      expect(mirror.requests.length).toBe(before);

      // Untouched, the entry is used as it is: no request.
      const sent = mirror.requests.length;
      const warm = context(input, { RUNNER_TOOL_CACHE: first.env.RUNNER_TOOL_CACHE });
      expect((await install(recipe, warm)).source).toBe('cache');
      expect(mirror.requests.length).toBe(sent);
    });
  }

  it('a binary and its kept archive both replaced are refused: the pin is in the source', async () => {
    const archive = buildArchive('helm', '3.16.4', platform);
    publish(mirror, helmRecipe, archive, platform);
    const first = context({ 'helm-version': '3.16.4' });
    await install(helmRecipe, first);
    const toolDir = path.join(first.env.RUNNER_TOOL_CACHE ?? '', 'helm', '3.16.4', platform.arch);
    const evil = buildArchive('helm', '3.16.4', platform, 0, { helm: EVIL });
    writeFileSync(`${toolDir}.archive`, evil.body);
    const bin = readdirSync(toolDir)[0]!;
    writeFileSync(path.join(toolDir, bin, 'helm'), EVIL);

    const next = context(
      { 'helm-version': '3.16.4' },
      { RUNNER_TOOL_CACHE: first.env.RUNNER_TOOL_CACHE }
    );
    expect((await install(helmRecipe, next)).source).toBe('mirror');
    expect(next.log.lines.join('\n')).toContain(
      `its kept archive has SHA-256 ${sha256(evil.body)}, not the pinned ${archive.sha256}`
    );
  });

  it('an extra file dropped into a terraform or helm entry is refused', async () => {
    publish(mirror, helmRecipe, buildArchive('helm', '3.16.5', platform), platform);
    const first = context({ 'helm-version': '3.16.5' });
    await install(helmRecipe, first);
    const toolDir = path.join(first.env.RUNNER_TOOL_CACHE ?? '', 'helm', '3.16.5', platform.arch);
    writeFileSync(path.join(toolDir, 'kubectl'), EVIL);
    const next = context(
      { 'helm-version': '3.16.5' },
      { RUNNER_TOOL_CACHE: first.env.RUNNER_TOOL_CACHE }
    );
    expect((await install(helmRecipe, next)).source).toBe('cache');
    expect(next.log.lines.join('\n')).toContain('(kubectl is not in the archive)');
    // Unpacked afresh from the kept archive: the dropped file is gone.
    expect(existsSync(path.join(toolDir, 'kubectl'))).toBe(false);
  });
});

describe('the pin table', () => {
  it('takes the test pins file only outside GitHub Actions, where no workflow can set it', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'pins-')), 'pins.json');
    const forged = { tools: { 'terraform_1.13.4_linux_amd64.zip': sha256(Buffer.from(EVIL)) } };
    writeFileSync(file, JSON.stringify(forged));
    const shipped = SHIPPED_PINS.tools['terraform_1.13.4_linux_amd64.zip'];
    expect(shipped).toMatch(/^[0-9a-f]{64}$/);
    expect(pinTable({ FLYTE_GKE_TEST_PINS: file }).tools['terraform_1.13.4_linux_amd64.zip']).toBe(
      sha256(Buffer.from(EVIL))
    );
    expect(
      pinTable({ FLYTE_GKE_TEST_PINS: file, GITHUB_ACTIONS: 'true' }).tools[
        'terraform_1.13.4_linux_amd64.zip'
      ]
    ).toBe(shipped);
    expect(pinTable({})).toBe(SHIPPED_PINS);
  });

  it('pins every default tool version for Linux x64', () => {
    const linux = { os: 'linux', arch: 'x64' };
    for (const [recipe, version] of [
      [terraformRecipe, DEFAULT_VERSIONS.terraform],
      [helmRecipe, DEFAULT_VERSIONS.helm],
      [gcloudRecipe, DEFAULT_VERSIONS.gcloud]
    ] as const) {
      const url = recipe.archiveUrl(version, linux);
      expect([recipe.tool, SHIPPED_PINS.tools[url.slice(url.lastIndexOf('/') + 1)]]).toEqual([
        recipe.tool,
        expect.stringMatching(/^[0-9a-f]{64}$/)
      ]);
    }
  });
});
