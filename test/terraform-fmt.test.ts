/**
 * The module is formatted as `terraform fmt` writes it, checked by the real terraform binary when
 * the machine has one (this project's machines ship terraform 1.11 in /usr/local/bin, without the
 * google provider, so `validate` cannot run here; `fmt` needs no provider).
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from './support/project.js';

const probe = spawnSync('terraform', ['version'], { encoding: 'utf8' });
const terraform = probe.status === 0 ? 'terraform' : undefined;
if (!terraform) console.log('terraform is not on PATH: skipping the terraform fmt check.');

/** `terraform fmt -check` over a copy, so nothing in the repository is rewritten. */
function fmtCheck(dir: string) {
  return spawnSync(terraform!, ['fmt', '-check', '-diff', '-no-color', '-recursive', dir], {
    encoding: 'utf8',
    // No CLI configuration file: fmt needs none, and a missing one only adds a warning.
    env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' }
  });
}

(terraform ? describe : describe.skip)('terraform fmt', () => {
  it('finds nothing to change in terraform/', () => {
    const copy = mkdtempSync(path.join(os.tmpdir(), 'tf-fmt-'));
    cpSync(path.join(PROJECT_ROOT, 'terraform'), copy, { recursive: true });
    const result = fmtCheck(copy);
    expect([result.stdout, result.stderr]).toEqual(['', '']);
    expect(result.status).toBe(0);
  });

  it('the check is live: a misaligned argument is reported', () => {
    const copy = mkdtempSync(path.join(os.tmpdir(), 'tf-fmt-'));
    cpSync(path.join(PROJECT_ROOT, 'terraform'), copy, { recursive: true });
    appendFileSync(path.join(copy, 'outputs.tf'), '\nlocals {\n  a  =  1\n}\n');
    const result = fmtCheck(copy);
    expect(result.status).toBe(3);
    expect(result.stdout).toContain('outputs.tf');
  });
});
