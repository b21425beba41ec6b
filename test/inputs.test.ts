import { describe, expect, it } from '@jest/globals';
import { parseInputs } from '../src/inputs.js';
import { REGIONS } from '../src/regions.js';
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

describe('regions', () => {
  it.each([
    ['us-centrl1', 'us-central1'],
    ['europe-wset4', 'europe-west4'],
    ['northamerica-northeest2', 'northamerica-northeast2'],
    ['us-est1', 'us-east1 or us-west1']
  ])('refuses %s and suggests %s', (region, suggestion) => {
    expect(() => parse({ 'project-id': 'acme-flyte', region })).toThrow(
      new RegExp(`region.*Did you mean ${suggestion}\\?`)
    );
  });

  it('accepts every listed region, and zones of it', () => {
    for (const [region, letters] of Object.entries(REGIONS)) {
      expect(parse({ 'project-id': 'acme-flyte', region }).region).toBe(region);
      const zones = letters.map((l) => `${region}-${l}`).join(',');
      const inputs = parse({
        'project-id': 'acme-flyte',
        region,
        autopilot: 'false',
        'gpu-accelerator-type': 'nvidia-l4',
        'gpu-zones': zones
      });
      expect(inputs.gpuPool?.zones).toHaveLength(letters.length);
    }
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

  it.each([
    ['nvidia-tesla-a100', 'a2-megagpu-16g', '16'],
    ['nvidia-a100-80gb', 'a2-ultragpu-4g', '4'],
    ['nvidia-h100-80gb', 'a3-edgegpu-8g', '8'],
    ['nvidia-h100-mega-80gb', 'a3-megagpu-8g', '8'],
    ['nvidia-tesla-v100', 'n1-highmem-16', '4']
  ])('accepts %s on %s with %s GPUs', (type, machine, count) => {
    const pool = gpu({
      'gpu-accelerator-type': type,
      'gpu-machine-type': machine,
      'gpu-accelerator-count': count
    });
    expect(pool).toMatchObject({ machineType: machine, acceleratorCount: Number(count) });
  });

  it('takes the 8-GPU A3 Mega machine for 8 H100 Mega GPUs', () => {
    expect(
      gpu({ 'gpu-accelerator-type': 'nvidia-h100-mega-80gb', 'gpu-accelerator-count': '8' })
        ?.machineType
    ).toBe('a3-megagpu-8g');
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
