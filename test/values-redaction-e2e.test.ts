/**
 * Attack: a credential in a values file as a container env entry (`extraEnvVars: [{name:
 * API_SECRET, value: ...}]`), the shape a key-name mask misses. Through the bundled action (a
 * deploy, a rotated secret, then a pull request's plan as the planner), the values are found
 * nowhere: not in any log, output, summary or saved state, not in the pull request comment, not
 * in the release-record ConfigMap the planner reads, not in any file left behind. Helm still
 * receives them. Needs a fresh `npm run build` after changes to src/.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  jobInputs,
  PR_NUMBER,
  requestBodies,
  runJob,
  startGitHub,
  startToolMirror,
  withStateBucket
} from './support/e2e-jobs.js';
import type { GitHubServer } from './support/github-server.js';
import { Harness, type StepResult } from './support/harness.js';
import type { Mirror } from './support/mirror.js';
import { MASKED_ONLY_CHANGE } from '../src/report/sections.js';

const DEPLOYED = 'sk-live-canary-first-8Hq2Zt5Wm';
const ROTATED = 'sk-live-canary-rotated-3Kd9Pv1Xn';
const PROPOSED = 'sk-live-canary-proposed-6Rb4Jy7Lc';
const FILE = 'flyte/values-secrets.yaml';

const valuesWith = (secret: string, logLevel: string) =>
  [
    'deployment:',
    '  extraEnvVars:',
    '    - name: API_SECRET',
    `      value: ${secret}`,
    '    - name: LOG_LEVEL',
    `      value: ${logLevel}`,
    ''
  ].join('\n');

describe('a secret-looking env value in the values files', () => {
  let github: GitHubServer;
  let mirror: Mirror;
  let push: Harness;
  let pr: Harness;
  let base: Record<string, string>;
  const steps: StepResult[] = [];

  beforeAll(async () => {
    [github, mirror] = await Promise.all([startGitHub(), startToolMirror()]);
    base = { ...jobInputs(mirror), 'extra-values-files': FILE };
    push = await Harness.create({ event: 'push', oidc: true, githubApiUrl: github.url });
    withStateBucket(push);
  });
  afterAll(async () => {
    await Promise.all([push.close(), pr?.close(), github.stop(), mirror.close()]);
  });

  async function deploy(secret: string): Promise<void> {
    push.writeWorkspaceFile(FILE, valuesWith(secret, 'info'));
    const { main, post } = await runJob(push, {
      ...base,
      command: 'deploy',
      'comment-on-pr': 'false'
    });
    steps.push(main, post);
    expect(main.errors).toEqual([]);
    // Helm got the real value: the check below cannot pass by the value never being used.
    const release = push.world().helm.releases['flyte/flyte-backend'];
    expect(release.values.deployment.extraEnvVars[0]).toEqual({
      name: 'API_SECRET',
      value: secret
    });
  }

  it('is deployed, then rotated: the upgrade says a masked value changed, never which', async () => {
    await deploy(DEPLOYED);
    expect(steps[0]!.summary).toContain('API_SECRET');
    await deploy(ROTATED);
    expect(steps[2]!.summary).toContain(MASKED_ONLY_CHANGE);
  });

  it("a pull request's plan shows the change without the value", async () => {
    pr = await Harness.create({ event: 'pull_request', oidc: true, githubApiUrl: github.url });
    pr.setWorld((w) => Object.assign(w, structuredClone(push.world())));
    pr.writeWorkspaceFile(FILE, valuesWith(PROPOSED, 'debug'));
    const { main, post } = await runJob(pr, { ...base, command: 'plan' });
    steps.push(main, post);
    expect(main.errors).toEqual([]);
    const [comment] = github.commentsOn(PR_NUMBER);
    expect(comment?.body).toContain('deployment.extraEnvVars');
    expect(comment?.body).toContain('debug');
  });

  it('is found nowhere: logs, outputs, summaries, comment, release record, files', () => {
    const objects = push.world().kubectl.objects as Record<string, unknown>;
    const record = Object.entries(objects).find(([key]) => key.includes('flyte-gke-action'));
    expect(record).toBeDefined();
    const extra = {
      'release-record ConfigMap': JSON.stringify(record),
      'GitHub requests': requestBodies(github),
      'the planner’s cluster': JSON.stringify(pr.world().kubectl)
    };
    const secrets = [DEPLOYED, ROTATED, PROPOSED];
    // The values files are the user's own input, not something the action left behind.
    for (const harness of [push, pr]) rmSync(path.join(harness.workspace, FILE));
    expect(push.findLeaks(secrets, steps, extra)).toEqual([]);
    expect(pr.findLeaks(secrets, [], {})).toEqual([]);
  });
});
