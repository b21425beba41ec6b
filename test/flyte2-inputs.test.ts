/** The flyte-version input: 1 by default, 2 for Flyte 2, with the chart and values of each. */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../src/errors.js';
import { parseInputs } from '../src/inputs.js';
import { CHART_PINS } from '../src/tools/pins/chart-pins.js';
import { actionDefault } from './support/harness.js';
import { PROJECT_ROOT } from './support/project.js';

/** As a runner reads them: action.yml's default for every input left out. */
const parse = (values: Record<string, string>) => {
  const all: Record<string, string> = { 'project-id': 'acme-flyte', ...values };
  return parseInputs((name) => all[name] ?? actionDefault(name), {
    actionRoot: PROJECT_ROOT,
    workspace: PROJECT_ROOT
  });
};
const refusal = (values: Record<string, string>) => {
  try {
    parse(values);
  } catch (error) {
    if (error instanceof InputError) return { input: error.input, message: error.message };
    throw error;
  }
  throw new Error('accepted');
};

describe('flyte-version', () => {
  it('is 1 by default, with the v1 chart and values as before', () => {
    const inputs = parse({});
    expect(inputs.flyteVersion).toBe(1);
    expect(inputs.chartVersion).toBe('v1.16.8');
    expect(inputs.valuesFile).toBe(path.join(PROJECT_ROOT, 'helm', 'flyte-values.yaml'));
  });

  it('2 installs the pinned v2 chart with the Flyte 2 values template', () => {
    const inputs = parse({ 'flyte-version': '2' });
    expect(inputs.flyteVersion).toBe(2);
    expect(inputs.chartVersion).toBe('v2.0.42');
    // The default chart is pinned by digest, so no index decides what runs.
    expect(CHART_PINS[inputs.chartVersion]).toMatch(/^[0-9a-f]{64}$/);
    expect(inputs.valuesFile).toBe(path.join(PROJECT_ROOT, 'helm', 'flyte2-values.yaml'));
  });

  it('2 takes another v2 chart when asked, with or without the v', () => {
    expect(parse({ 'flyte-version': '2', 'chart-version': '2.0.41' }).chartVersion).toBe('v2.0.41');
  });

  it('a v2 chart under flyte-version 1 is refused with the way to Flyte 2', () => {
    expect(refusal({ 'chart-version': 'v2.0.42' })).toEqual({
      input: 'chart-version',
      message: expect.stringMatching(/not a Flyte 1\.x chart.*set flyte-version: 2/) as unknown
    });
  });

  it.each(['0', '3', '2.0', 'v2', 'two', 'true'])('refuses %s, naming the input', (value) => {
    expect(refusal({ 'flyte-version': value })).toEqual({
      input: 'flyte-version',
      message: expect.stringContaining('Use 1 (') as unknown
    });
  });

  it('action.yml declares it with default 1, and chart-version empty so each version picks its own', () => {
    const action = parseYaml(readFileSync(path.join(PROJECT_ROOT, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { default: string; description: string }>;
    };
    expect(action.inputs['flyte-version']?.default).toBe('1');
    expect(action.inputs['chart-version']?.default).toBe('');
    expect(action.inputs['chart-version']?.description).toContain('v2.0.42');
  });

  it('every reusable workflow forwards it', () => {
    for (const name of ['deploy', 'plan', 'upgrade', 'destroy', 'drift']) {
      const text = readFileSync(
        path.join(PROJECT_ROOT, '.github', 'workflows', `${name}.yml`),
        'utf8'
      );
      expect(text).toContain('flyte-version: ${{ inputs.flyte-version }}');
    }
  });
});
