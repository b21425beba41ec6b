import { describe, expect, it } from '@jest/globals';
import { parseInputs } from '../src/inputs.js';
import { PROJECT_ROOT } from './support/project.js';

const parse = (values: Record<string, string>) =>
  parseInputs((name) => values[name] ?? '', { actionRoot: PROJECT_ROOT, workspace: PROJECT_ROOT });

describe('parseInputs', () => {
  it('fills the documented defaults', () => {
    const inputs = parse({ 'project-id': 'acme-flyte' });
    expect(inputs).toMatchObject({
      command: 'deploy',
      region: 'us-central1',
      clusterName: 'flyte',
      autopilot: true,
      stateBucket: 'acme-flyte-flyte-tfstate',
      statePrefix: 'flyte-gke/flyte',
      chartVersion: 'v1.16.8',
      releaseName: 'flyte-backend',
      flyteProjects: ['flytesnacks'],
      timeoutSeconds: 900
    });
    expect(Object.isFrozen(inputs)).toBe(true);
  });
});
