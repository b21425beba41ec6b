/**
 * The manual deploy's inputs, checked before anything runs: save-plan only with plan; saved-plan
 * only with deploy, with a SHA-256 saved-plan-digest and an environment (whose reviewers are the
 * review); a digest without a plan is refused too.
 */
import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { parseInputs } from '../src/inputs.js';
import { actionDefault } from './support/harness.js';
import { PROJECT_ROOT } from './support/project.js';

const DIGEST = 'ab'.repeat(32);
const parseWith = (values: Record<string, string>) =>
  parseInputs((name) => values[name] ?? actionDefault(name), {
    actionRoot: PROJECT_ROOT,
    workspace: PROJECT_ROOT
  });
const base = { 'project-id': 'acme-flyte-dev', 'cluster-name': 'flyte-dev' };

describe('save-plan, saved-plan and saved-plan-digest', () => {
  it('plan saves into a folder relative to the workspace', () => {
    const inputs = parseWith({ ...base, command: 'plan', 'save-plan': 'saved' });
    expect(inputs.savePlan).toBe(path.join(PROJECT_ROOT, 'saved'));
    expect(inputs.savedPlan).toBeUndefined();
  });

  it('deploy applies a saved plan with its digest in an environment', () => {
    const inputs = parseWith({
      ...base,
      command: 'deploy',
      'saved-plan': '/tmp/saved',
      'saved-plan-digest': DIGEST,
      environment: 'flyte-dev'
    });
    expect(inputs.savedPlan).toEqual({ dir: '/tmp/saved', digest: DIGEST });
  });

  it('nothing set: no saved plan either way', () => {
    expect(parseWith({ ...base, command: 'deploy' }).savedPlan).toBeUndefined();
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['save-plan with deploy', { command: 'deploy', 'save-plan': 'x' }, /'save-plan'.*only plan/],
    [
      'saved-plan with plan',
      { command: 'plan', 'saved-plan': 'x', 'saved-plan-digest': DIGEST },
      /'saved-plan'.*only deploy/
    ],
    [
      'saved-plan without its digest',
      { command: 'deploy', 'saved-plan': 'x', environment: 'flyte-dev' },
      /'saved-plan-digest': is empty/
    ],
    [
      'a digest that is not SHA-256',
      { command: 'deploy', 'saved-plan': 'x', 'saved-plan-digest': 'abc', environment: 'e' },
      /'saved-plan-digest': "abc" is not a SHA-256 digest/
    ],
    [
      'saved-plan without an environment',
      { command: 'deploy', 'saved-plan': 'x', 'saved-plan-digest': DIGEST },
      /'environment': is empty while saved-plan is set/
    ],
    [
      'a digest without saved-plan',
      { command: 'deploy', 'saved-plan-digest': DIGEST },
      /without saved-plan/
    ]
  ])('refuses %s', (_name, values, pattern) => {
    expect(() => parseWith({ ...base, ...values })).toThrow(pattern);
  });
});
