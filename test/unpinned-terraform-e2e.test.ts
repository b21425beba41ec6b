/**
 * A terraform version without a pin, under allow-unpinned-tools, through the bundled action: its
 * SHA256SUMS must carry a good detached signature, checked with openpgp.js, which the bundle loads
 * only then (a chunk of dist/main, off every other run's start-up). The test mirror signs with the
 * test key that test-pins.ts adds beside HashiCorp's, and the log says it is not HashiCorp's.
 * Needs a fresh `npm run build` after changes to src/.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { terraformRecipe } from '../src/tools/terraform/install.js';
import { currentPlatform } from '../src/tools/sources.js';
import { jobInputs, runJob, startToolMirror, withStateBucket } from './support/e2e-jobs.js';
import { Harness, standinWrapper } from './support/harness.js';
import { buildArchive, publish, type Mirror } from './support/mirror.js';
import { makeTestKey } from './support/test-release-key.js';

const UNPINNED = '1.13.99';
const FORGED = '1.13.98';

describe('an unpinned terraform through the bundled action', () => {
  let mirror: Mirror;
  const harnesses: Harness[] = [];

  async function plan(version: string) {
    const harness = await Harness.create({ event: 'push', oidc: true });
    harnesses.push(harness);
    withStateBucket(harness);
    const { main } = await runJob(harness, {
      ...jobInputs(mirror),
      command: 'plan',
      'comment-on-pr': 'false',
      'install-gcloud': 'false',
      'terraform-version': version,
      'allow-unpinned-tools': 'true'
    });
    return main;
  }

  beforeAll(async () => {
    mirror = await startToolMirror();
    const platform = currentPlatform();
    const archive = (version: string) =>
      buildArchive('terraform', version, platform, 0, { terraform: standinWrapper('terraform') });
    publish(mirror, terraformRecipe, archive(UNPINNED), platform, { pin: false });
    // Signed by a key nobody trusts.
    publish(mirror, terraformRecipe, archive(FORGED), platform, {
      pin: false,
      signWith: await makeTestKey('someone else')
    });
  });
  afterAll(async () => {
    await Promise.all([...harnesses.map((h) => h.close()), mirror.close()]);
  });

  it('installs it once its SHA256SUMS signature verifies, and says whose key signed it', async () => {
    const main = await plan(UNPINNED);
    expect(main.errors).toEqual([]);
    expect(main.stdout).toContain(
      `terraform ${UNPINNED}: terraform_${UNPINNED}_SHA256SUMS is signed by`
    );
    expect(main.stdout).toContain("NOT HashiCorp's release key");
    expect(main.calls.some((c) => c.tool === 'terraform' && c.args[0] === 'plan')).toBe(true);
  });

  it('refuses it when the signature is by a key the action does not hold, before any terraform runs', async () => {
    const main = await plan(FORGED);
    expect(main.exitCode).not.toBe(0);
    expect(main.errors.join('\n')).toMatch(
      new RegExp(
        `terraform ${FORGED.replace(/\./g, '\\.')}: the signature \\S+\\.sig does not verify .*Could not find signing key`
      )
    );
    expect(main.calls.filter((c) => c.tool === 'terraform')).toEqual([]);
  });
});
