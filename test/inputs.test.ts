import { describe, expect, it } from '@jest/globals';
import { parseInputs } from '../src/inputs.js';
import { PROJECT_ROOT } from './support/project.js';
import { terraformVarsJson } from '../src/tools/terraform/args.js';
import { testInputs } from './support/fakes.js';

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

describe('GPU pool inputs', () => {
  const gpu = (values: Record<string, string>) =>
    testInputs({ autopilot: 'false', region: 'us-central1', ...values }).gpuPool;

  it.each([
    ['nvidia-l4', '1', 'g2-standard-4'],
    ['nvidia-l4', '4', 'g2-standard-48'],
    ['nvidia-tesla-a100', '1', 'a2-highgpu-1g'],
    ['nvidia-h100-80gb', '8', 'a3-highgpu-8g'],
    ['nvidia-tesla-t4', '1', 'n1-standard-4']
  ])('%s × %s defaults to %s', (type, count, machine) => {
    expect(gpu({ 'gpu-accelerator-type': type, 'gpu-accelerator-count': count })?.machineType).toBe(
      machine
    );
  });

  it('keeps a machine type of the right family that the user chose', () => {
    expect(
      gpu({ 'gpu-accelerator-type': 'nvidia-l4', 'gpu-machine-type': 'g2-standard-8' })?.machineType
    ).toBe('g2-standard-8');
  });

  it('passes the GPU zones to Terraform as gpu_node_locations', () => {
    const inputs = testInputs({
      autopilot: 'false',
      region: 'us-central1',
      'gpu-accelerator-type': 'nvidia-l4',
      'gpu-zones': 'us-central1-a, us-central1-c'
    });
    expect(inputs.gpuPool?.zones).toEqual(['us-central1-a', 'us-central1-c']);
    expect(JSON.parse(terraformVarsJson(inputs)).gpu_node_locations).toEqual([
      'us-central1-a',
      'us-central1-c'
    ]);
    expect(
      JSON.parse(
        terraformVarsJson(testInputs({ autopilot: 'false', 'gpu-accelerator-type': 'nvidia-l4' }))
      ).gpu_node_locations
    ).toEqual([]);
  });
});
