/**
 * GitHub's @github/local-action runs the action from its TypeScript sources: src/main.ts must
 * export `run`, and the action must find its terraform/ and helm/ folders although the code then
 * runs from src/, not dist/main/.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { findActionRoot } from '../src/action-root.js';
import { NODE24 } from './support/harness.js';
import { PROJECT_ROOT } from './support/project.js';

describe('findActionRoot', () => {
  let temp: string;
  beforeAll(() => {
    temp = mkdtempSync(path.join(tmpdir(), 'flyte-gke-root-'));
    mkdirSync(path.join(temp, 'given'), { recursive: true });
    writeFileSync(path.join(temp, 'given', 'action.yml'), 'name: x\n');
    mkdirSync(path.join(temp, 'up', 'dist', 'main'), { recursive: true });
    writeFileSync(path.join(temp, 'up', 'action.yml'), 'name: x\n');
    mkdirSync(path.join(temp, 'none', 'deep'), { recursive: true });
  });
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('takes GITHUB_ACTION_PATH when it holds action.yml', () => {
    const from = path.join(temp, 'up', 'dist', 'main');
    expect(findActionRoot({ GITHUB_ACTION_PATH: path.join(temp, 'given') }, from)).toBe(
      path.join(temp, 'given')
    );
  });

  it('otherwise looks upward for action.yml, whatever the depth', () => {
    expect(findActionRoot({}, path.join(temp, 'up', 'dist', 'main'))).toBe(path.join(temp, 'up'));
    expect(findActionRoot({}, path.join(temp, 'up'))).toBe(path.join(temp, 'up'));
    expect(
      findActionRoot({ GITHUB_ACTION_PATH: path.join(temp, 'none') }, path.join(temp, 'up', 'dist'))
    ).toBe(path.join(temp, 'up'));
  });

  it('says where it looked when there is no action.yml', () => {
    expect(() => findActionRoot({}, path.join(temp, 'none', 'deep'))).toThrow(/no action\.yml/);
  });
});

describe('@github/local-action', () => {
  let temp: string;
  beforeAll(() => {
    temp = mkdtempSync(path.join(tmpdir(), 'flyte-gke-local-action-'));
  });
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('runs the sources through src/main.ts and finds the action files', () => {
    const inputs = parse(
      readFileSync(path.join(PROJECT_ROOT, 'examples/inputs/dev.yml'), 'utf8')
    ) as Record<string, string>;
    const lines = Object.entries(inputs).map(
      ([name, value]) => `INPUT_${name.toUpperCase()}=${JSON.stringify(String(value))}`
    );
    lines.push(
      `RUNNER_TEMP=${temp}`,
      `RUNNER_TOOL_CACHE=${path.join(temp, 'tool-cache')}`,
      'GITHUB_REPOSITORY=acme/flyte-platform',
      'GITHUB_EVENT_NAME=workflow_dispatch',
      `GITHUB_WORKSPACE=${PROJECT_ROOT}`
    );
    const envFile = path.join(temp, '.env');
    writeFileSync(envFile, `${lines.join('\n')}\n`);
    const cli = path.join(
      PROJECT_ROOT,
      'node_modules',
      '@github',
      'local-action',
      'bin',
      'local-action.js'
    );
    const env = { ...process.env };
    delete env.GITHUB_ACTION_PATH;
    const result = spawnSync(NODE24, [cli, 'run', PROJECT_ROOT, 'src/main.ts', envFile], {
      cwd: PROJECT_ROOT,
      env: { ...env, PATH: `${path.dirname(NODE24)}:${process.env.PATH ?? ''}`, NO_COLOR: '1' },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      timeout: 240_000
    });
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.status).toBe(0);
    expect(output).not.toMatch(/::error::|setFailed|Cannot find the action/);
    expect(output).toContain('Dry run: nothing was executed');
    // The module folder is found beside action.yml, not two folders above src/run.ts.
    expect(output).toContain(`in ${path.join(PROJECT_ROOT, 'terraform')}`);
    expect(output).not.toContain(inputs['iap-oauth-client-secret']);
  }, 300_000);
});
