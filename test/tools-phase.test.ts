import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RunState } from '../src/engine/state.js';
import type { TaskStep } from '../src/engine/types.js';
import { toolsPhase } from '../src/phases/tools.js';
import { currentPlatform } from '../src/tools/sources.js';
import { gcloudRecipe } from '../src/tools/gcloud/install.js';
import { helmRecipe } from '../src/tools/helm/install.js';
import { kubectlRecipe } from '../src/tools/kubectl/install.js';
import { terraformRecipe } from '../src/tools/terraform/install.js';
import { buildArchive, Mirror, publish } from './support/mirror.js';
import { testContext, testInputs } from './support/task-context.js';
import { writeTestPins } from './support/test-pins.js';

const platform = currentPlatform();
let mirror: Mirror;
beforeAll(async () => {
  mirror = await Mirror.start();
});
afterAll(async () => {
  await mirror.close();
});

function onlyStep(inputs = testInputs({ 'tool-mirror': mirror.url })): TaskStep {
  // The hosted-runner cache restore before it is tested in hosted-cache.test.ts.
  const steps = toolsPhase(inputs)
    .steps(new RunState(false))
    .filter((s) => s.id !== 'cache-restore');
  expect(steps).toHaveLength(1);
  const [step] = steps;
  if (step?.kind !== 'task') throw new Error('expected one task step');
  return step;
}

describe('toolsPhase', () => {
  it('runs the four installs concurrently: all four downloads are open at once', async () => {
    // Each archive is held until all four are asked for, so installs one after another get the
    // first answer only when the mirror gives up waiting, and the order below shows it.
    const hold = { holdUntilOpen: 4 };
    publish(mirror, terraformRecipe, buildArchive('terraform', '1.13.4', platform), platform, hold);
    publish(mirror, helmRecipe, buildArchive('helm', '3.19.0', platform), platform, hold);
    publish(mirror, gcloudRecipe, buildArchive('gcloud', '528.0.0', platform), platform, hold);
    publish(mirror, kubectlRecipe, buildArchive('kubectl', '1.36.1', platform), platform, hold);
    // The phase reads the pins as the bundled action does: the stand-ins' through the test file.
    const pinsFile = path.join(mkdtempSync(path.join(tmpdir(), 'pins-')), 'pins.json');
    writeTestPins(pinsFile);
    const ctx = testContext({
      inputs: testInputs({ 'tool-mirror': mirror.url }),
      env: { FLYTE_GKE_TEST_PINS: pinsFile }
    });

    await onlyStep(ctx.inputs).run(ctx);

    const archives = mirror.requests.filter((r) => /\.(zip|tar\.gz)$|\/kubectl$/.test(r.path));
    expect(archives).toHaveLength(4);
    const lastArrived = Math.max(...archives.map((r) => r.arrived));
    const firstFinished = Math.min(...archives.map((r) => r.finished));
    expect(lastArrived).toBeLessThan(firstFinished);
    expect(Object.keys(ctx.state.tools).sort()).toEqual(['gcloud', 'helm', 'kubectl', 'terraform']);
    // kubectl is its own download now, not gcloud's component.
    expect(ctx.state.tools.kubectl).toMatchObject({ version: '1.36.1', source: 'mirror' });
    expect(ctx.state.tools.kubectl?.path).not.toBe(ctx.state.tools.gcloud?.path);
    expect(ctx.paths).toHaveLength(4);
  });

  it("uses the tools on PATH for 'system' and downloads nothing", async () => {
    const ctx = testContext({
      inputs: testInputs({
        'tool-mirror': mirror.url,
        'gcloud-version': 'system',
        'terraform-version': 'system',
        'helm-version': 'system',
        'kubectl-version': 'system'
      })
    });
    const bin = path.join(ctx.dir, 'bin');
    mkdirSync(bin);
    // Reading stdin first: src/engine/exec.ts always feeds stdin, which fails with EPIPE when a
    // program exits without reading it (reported to the lead).
    const script = (name: string, body: string) => {
      writeFileSync(path.join(bin, name), `#!/bin/sh\ncat >/dev/null\n${body}\n`);
      chmodSync(path.join(bin, name), 0o755);
    };
    script('terraform', `echo '{"terraform_version":"1.12.2","platform":"linux_amd64"}'`);
    script('helm', 'echo v3.17.1+g980d8ac');
    script('gcloud', `echo '{"Google Cloud SDK":"520.0.0","core":"2025.04.25"}'`);
    script('kubectl', `echo '{"clientVersion":{"gitVersion":"v1.35.0"}}'`);
    ctx.env.PATH = `${bin}${path.delimiter}${ctx.env.PATH}`;
    const before = mirror.requests.length;

    await onlyStep(ctx.inputs).run(ctx);

    expect(mirror.requests.length).toBe(before);
    expect(ctx.state.tools).toEqual({
      terraform: { version: '1.12.2', source: 'system', path: bin },
      helm: { version: '3.17.1', source: 'system', path: bin },
      gcloud: { version: '520.0.0', source: 'system', path: bin },
      kubectl: { version: '1.35.0', source: 'system', path: bin }
    });
    expect(ctx.paths).toEqual([]);
  });

  it("fails clearly for 'system' when the tool is not on PATH", async () => {
    const ctx = testContext({
      inputs: testInputs({ 'helm-version': 'system', 'tool-mirror': mirror.url }),
      env: { PATH: '/nonexistent' }
    });
    publish(mirror, terraformRecipe, buildArchive('terraform', '1.13.4', platform), platform);
    publish(mirror, gcloudRecipe, buildArchive('gcloud', '528.0.0', platform), platform);
    await expect(onlyStep(ctx.inputs).run(ctx)).rejects.toThrow(
      "helm-version is 'system', but no helm was found on PATH"
    );
  });

  it('describes in a dry run what would come from where, with no network call', () => {
    const before = mirror.requests.length;
    const text = onlyStep().describe(new RunState(true));
    expect(mirror.requests.length).toBe(before);
    expect(text).toContain(
      `terraform 1.13.4: tool cache if present, else ${mirror.url}/releases.hashicorp.com/terraform/1.13.4/terraform_1.13.4_${platform.os}_${platform.arch === 'x64' ? 'amd64' : 'arm64'}.zip; its SHA-256 must equal the digest pinned in the action's source, checked before unpacking and on every use of the tool cache (a version without a pin is refused unless allow-unpinned-tools is true, and then checked against https://releases.hashicorp.com/terraform/1.13.4/terraform_1.13.4_SHA256SUMS, signed by HashiCorp (.sig)).`
    );
    expect(text).toMatch(
      /^helm 3\.19\.0: tool cache if present, else .*get\.helm\.sh\/helm-v3\.19\.0-/m
    );
    expect(text).toMatch(
      /^gcloud 528\.0\.0: tool cache if present, else .*google-cloud-cli-528\.0\.0-/m
    );
    expect(text).toContain(
      `kubectl 1.36.1: tool cache if present, else ${mirror.url}/dl.k8s.io/release/v1.36.1/bin/${platform.os}/${platform.arch === 'x64' ? 'amd64' : 'arm64'}/kubectl; its SHA-256 must equal the digest pinned in the action's source, checked before it is made executable`
    );
    expect(text).toContain('only a gcloud command waits for it');
    const onNeed = onlyStep(testInputs({ 'install-gcloud': 'false' })).describe(new RunState(true));
    expect(onNeed).toContain('installs only when a gcloud command of this run needs it');
    const system = onlyStep(testInputs({ 'helm-version': 'system' })).describe(new RunState(true));
    expect(system).toContain('helm: the one on PATH (helm-version: system); nothing downloaded.');
    const latest = onlyStep(testInputs({ 'gcloud-version': 'latest' })).describe(
      new RunState(true)
    );
    expect(latest).toContain(
      'gcloud: newest version from https://dl.google.com/dl/cloudsdk/channels/rapid/components-2.json'
    );
  });
});
