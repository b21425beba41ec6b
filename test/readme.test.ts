/** The README documents every input, output and workflow, and starts with the two commands. */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from './support/project.js';

const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
const action = parse(readFileSync(path.join(PROJECT_ROOT, 'action.yml'), 'utf8')) as {
  inputs: Record<string, { description: string }>;
  outputs: Record<string, { description: string }>;
};

describe('README', () => {
  it('opens with the install-and-dry-run command and the test command', () => {
    const firstBlock = /```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    // Node 24 first, so the command works on a fresh machine whose node is older.
    expect(firstBlock.split('\n')[0]).toMatch(
      /^export PATH="\$\(scripts\/node24-dir\.sh\):\$PATH" && npm ci && npm run dry-run\b/
    );
    expect(firstBlock.split('\n')[1]).toMatch(/^npm test\b/);
  });

  it('says before those commands what a fresh machine needs and how CI gets Node 24', () => {
    const before = readme.slice(0, readme.indexOf('```bash'));
    expect(before).toMatch(/Node 24/);
    expect(before).toMatch(/EBADENGINE/);
    expect(before).toContain('scripts/node24-dir.sh');
    expect(before).toContain('.ci/run');
    expect(readFileSync(path.join(PROJECT_ROOT, '.ci/run'), 'utf8')).toContain(
      'scripts/node24-dir.sh'
    );
  });

  const row = (name: string) =>
    readme.split('\n').find((line) => new RegExp(`^\\|\\s*\`${name}\`\\s*\\|`).test(line));

  it.each(Object.entries(action.inputs))('documents input %s with its default', (name, spec) => {
    const line = row(name);
    expect(line).toBeDefined();
    const def = (spec as { default?: string }).default;
    if (def) expect(line).toContain(`\`${def}\``);
  });

  it.each(Object.keys(action.outputs))('documents output %s', (name) => {
    expect(row(name)).toBeDefined();
  });

  it('names every reusable workflow', () => {
    const workflows = readdirSync(path.join(PROJECT_ROOT, '.github/workflows')).filter(
      (f) => f !== 'ci.yml'
    );
    for (const file of workflows) expect(readme).toContain(`\`${file}\``);
  });

  it('gives every input and output a description in action.yml', () => {
    for (const spec of [...Object.values(action.inputs), ...Object.values(action.outputs)]) {
      expect(spec.description.length).toBeGreaterThan(10);
    }
  });
});

describe('README for a newcomer', () => {
  const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
  it.each([
    [
      'prerequisites',
      /## Before you start[\s\S]*billing enabled[\s\S]*GPU quota[\s\S]*OAuth consent/
    ],
    [
      'cost with date and source',
      /### What it creates, and what it costs[\s\S]*as of\s+\d{4}-\d{2}-\d{2}[\s\S]*pricing/
    ],
    ['upgrading Flyte', /## Upgrading Flyte[\s\S]*chart-version/],
    ['existing VPC or cluster', /## Existing VPC or cluster[\s\S]*not\s+supported/],
    ['the module contract', /## Your own Terraform module[\s\S]*Outputs it must give/],
    ['Node 24 for contributors', /Node 24/],
    [
      'the id-token startup failure',
      /requesting 'id-token: write', but is only allowed 'id-token: none'/
    ]
  ])('covers %s', (_name, pattern) => {
    expect(readme).toMatch(pattern);
  });
});
