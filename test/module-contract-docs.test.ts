/**
 * The README's contract for a module of your own names exactly what the code passes and reads:
 * every variable the action writes to its tfvars file and every output it reads. A variable or
 * output added in the code and not in the contract fails here.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseInputs } from '../src/inputs.js';
import {
  OPTIONAL_MAP_OUTPUTS,
  OPTIONAL_OUTPUTS,
  REQUIRED_OUTPUTS
} from '../src/terraform/outputs.js';
import { DESTROY_OVERRIDES, terraformVariables } from '../src/tools/terraform/args.js';
import { actionDefault } from './support/harness.js';
import { PROJECT_ROOT } from './support/project.js';

const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
const contract = /## Your own Terraform module[\s\S]*?\n## /.exec(readme)![0];
const section = (label: string) =>
  new RegExp(`\\*\\*${label}\\.?\\*\\*[\\s\\S]*?(?=\\n- \\*\\*|\\n## )`).exec(contract)![0];
const named = (text: string) =>
  new Set([...text.matchAll(/`([a-z][a-z0-9_]*)`/g)].map((m) => m[1]!));

describe('the custom-module contract in the README', () => {
  // A GPU pool on Standard, so every variable the action can set is set.
  const values: Record<string, string> = {
    'project-id': 'acme-flyte-dev',
    autopilot: 'false',
    'gpu-accelerator-type': 'nvidia-l4',
    'gpu-zones': 'us-central1-a'
  };
  const parsed = (more: Record<string, string> = {}) =>
    parseInputs((name) => more[name] ?? values[name] ?? actionDefault(name), {
      actionRoot: PROJECT_ROOT,
      workspace: PROJECT_ROOT
    });
  // Flyte 1 and Flyte 2 pass different variables (flyte2_task_namespace only for 2).
  const inputs = [parsed(), parsed({ 'flyte-version': '2' })];

  it('lists every variable the action passes', () => {
    const listed = named(section('Variables it may read'));
    const passed = inputs.flatMap((i) => Object.keys(terraformVariables(i, DESTROY_OVERRIDES)));
    expect(passed.filter((name) => !listed.has(name))).toEqual([]);
  });

  it('lists every output the action reads, required and optional', () => {
    const listed = named(section('Outputs it must give'));
    const read = [
      ...Object.values(REQUIRED_OUTPUTS),
      ...Object.values(OPTIONAL_OUTPUTS),
      ...Object.values(OPTIONAL_MAP_OUTPUTS)
    ];
    expect(read.filter((name) => !listed.has(name))).toEqual([]);
  });
});
