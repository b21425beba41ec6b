/**
 * The pure judgements behind recovery: what a Helm history asks for, which flags the rollback
 * takes (checked against the real helm 3.18 and 4.1 binaries), and when a Terraform lock's holder
 * record and GitHub's answer prove that the holding run has ended.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parseHistory, recoveryFor, rollbackArgs } from '../src/tools/helm/history.js';
import {
  judgeRun,
  matchRecord,
  parseHolderRecord,
  parseStateLock,
  type LockHolderRecord,
  type RunAttempt,
  type StateLock
} from '../src/terraform/lock-holder.js';
import { REAL_TOOLS_DIR } from './support/real-tools.js';

const rev = (revision: number, status: string) => ({
  revision,
  status,
  chart: 'flyte-binary-v1.16.8'
});

describe('helm history', () => {
  it('reads Helm’s JSON (nanosecond times) oldest first; a missing release is an empty history', () => {
    const stdout = JSON.stringify([
      {
        revision: 2,
        updated: '2026-11-24T03:00:00.123456789Z',
        status: 'pending-upgrade',
        chart: 'c',
        app_version: '1',
        description: 'Preparing upgrade'
      },
      {
        revision: 1,
        updated: '2026-11-24T02:00:00Z',
        status: 'deployed',
        chart: 'c',
        app_version: '1',
        description: 'Install complete'
      }
    ]);
    const history = parseHistory('s', { exitCode: 0, stdout, stderr: '' });
    expect(history.map((r) => r.revision)).toEqual([1, 2]);
    expect(history[1]!.updated).toBe(Date.parse('2026-11-24T03:00:00.123Z'));
    expect(
      parseHistory('s', { exitCode: 1, stdout: '', stderr: 'Error: release: not found' })
    ).toEqual([]);
    expect(() =>
      parseHistory('s', {
        exitCode: 1,
        stdout: '',
        stderr: 'Error: Kubernetes cluster unreachable'
      })
    ).toThrow(/unreachable/);
  });

  it('rolls a pending revision back to the latest deployed one, uninstalls only a lone pending-install', () => {
    expect(recoveryFor([rev(1, 'superseded'), rev(2, 'deployed')])).toEqual({ kind: 'none' });
    expect(recoveryFor([])).toEqual({ kind: 'none' });
    expect(
      recoveryFor([rev(1, 'superseded'), rev(2, 'deployed'), rev(3, 'pending-upgrade')])
    ).toMatchObject({ kind: 'rollback', to: { revision: 2 } });
    expect(
      recoveryFor([rev(1, 'deployed'), rev(2, 'pending-upgrade'), rev(3, 'pending-rollback')])
    ).toMatchObject({ kind: 'rollback', to: { revision: 1 } });
    expect(recoveryFor([rev(1, 'pending-install')])).toMatchObject({ kind: 'uninstall' });
    // A failed history with no deployed revision: nothing the action may choose by itself.
    expect(recoveryFor([rev(1, 'failed'), rev(2, 'pending-upgrade')])).toMatchObject({
      kind: 'manual'
    });
    expect(recoveryFor([rev(1, 'failed'), rev(2, 'pending-install')])).toMatchObject({
      kind: 'manual'
    });
  });

  const realHelms = (): string[] => {
    const found = [path.join(REAL_TOOLS_DIR, 'helm')];
    const three = path.join(REAL_TOOLS_DIR, 'helm3');
    if (existsSync(three))
      found.push(
        ...readdirSync(three)
          .map((f) => path.join(three, f))
          .filter((f) => f.endsWith('helm'))
      );
    return found.filter((f) => existsSync(f));
  };

  it('the real helm 3 and 4 accept the rollback and history flags (they fail only at the cluster)', () => {
    const helms = realHelms();
    expect(helms.length).toBeGreaterThanOrEqual(1);
    for (const helm of helms) {
      for (const args of [
        rollbackArgs('flyte-backend', 3, 'flyte', 900),
        ['history', 'flyte-backend', '--namespace', 'flyte', '--output', 'json', '--max', '20']
      ]) {
        let stderr = '';
        try {
          execFileSync(
            helm,
            [...args, '--kube-apiserver', 'https://127.0.0.1:1', '--kube-token', 'x'],
            { encoding: 'utf8', stdio: 'pipe', timeout: 30_000 }
          );
        } catch (error) {
          stderr = String((error as { stderr?: string }).stderr);
        }
        expect(stderr).toMatch(/cluster unreachable|connection refused/i);
        expect(stderr).not.toMatch(/unknown flag|unknown shorthand/);
      }
    }
  });
});

const LOCK: StateLock = {
  id: '1700000000999999',
  who: 'runner@fv-az9-1',
  operation: 'OperationTypeApply',
  created: Date.parse('2026-11-24T03:00:00Z'),
  path: 'gs://b/p/default.tflock'
};
const RECORD: LockHolderRecord = {
  repository: 'acme/flyte-platform',
  repositoryId: '700000001',
  runId: 111,
  runAttempt: 2,
  job: 'deploy',
  who: 'runner@fv-az9-1',
  written: '2026-11-24T02:59:58Z'
};
const HERE = { fullName: 'acme/flyte-platform', id: '700000001' };
const RUN: RunAttempt = {
  id: 111,
  attempt: 2,
  status: 'completed',
  conclusion: 'cancelled',
  htmlUrl: 'https://github.com/acme/flyte-platform/actions/runs/111/attempts/2',
  repository: 'acme/flyte-platform',
  repositoryId: '700000001',
  startedAt: Date.parse('2026-11-24T02:50:00Z'),
  updatedAt: Date.parse('2026-11-24T03:04:00Z')
};

describe('terraform lock holder', () => {
  it('reads the GCS lock object: the generation is the ID, Created is RFC 3339', () => {
    const lock = parseStateLock(
      '1700000000999999',
      JSON.stringify({
        ID: 'uuid',
        Operation: 'OperationTypeApply',
        Info: '',
        Who: 'runner@h',
        Version: '1.13.4',
        Created: '2026-11-24T03:00:00.123456Z',
        Path: 'gs://b/p/default.tflock'
      })
    );
    expect(lock).toMatchObject({
      id: '1700000000999999',
      who: 'runner@h',
      created: Date.parse('2026-11-24T03:00:00.123Z')
    });
    expect(parseStateLock('', '{}')).toBeUndefined();
  });

  it('accepts only a well-formed record', () => {
    expect(parseHolderRecord(JSON.stringify(RECORD))).toEqual(RECORD);
    expect(parseHolderRecord(JSON.stringify({ ...RECORD, runId: '111' }))).toBeUndefined();
    expect(
      parseHolderRecord(JSON.stringify({ ...RECORD, repository: 'a/b/../c' }))
    ).toBeUndefined();
    expect(parseHolderRecord('not json')).toBeUndefined();
  });

  it('proves an ended holder only when record, lock and GitHub agree', () => {
    const matched = matchRecord(LOCK, RECORD, HERE);
    expect(matched.kind).toBe('record');
    expect(judgeRun(LOCK, RECORD, RUN, HERE).kind).toBe('ended');
    expect(judgeRun(LOCK, RECORD, { ...RUN, status: 'in_progress' }, HERE).kind).toBe('running');
  });

  it.each([
    ['no record', undefined, HERE, /no holder record/],
    ['another repository', { ...RECORD, repository: 'mallory/flyte-platform' }, HERE, /mallory/],
    [
      'same name, another repository ID (recreated)',
      { ...RECORD, repositoryId: '1' },
      HERE,
      /repository ID 1/
    ],
    ['another user@host', { ...RECORD, who: 'runner@other' }, HERE, /runner@other/],
    [
      'written after the lock',
      { ...RECORD, written: '2026-11-24T03:00:01Z' },
      HERE,
      /after the lock/
    ],
    ['no repository to compare with', RECORD, undefined, /not of this repository/]
  ])('refuses a record: %s', (_name, record, here, why) => {
    const verdict = matchRecord(LOCK, record, here);
    expect(verdict).toMatchObject({ kind: 'unproven', why: expect.stringMatching(why) });
  });

  it.each([
    ['GitHub does not know it', undefined, /does not know/],
    ['an answer about another attempt', { ...RUN, attempt: 1 }, /another run/],
    ['an answer about another repository', { ...RUN, repository: 'mallory/x' }, /another run/],
    [
      'started after the lock',
      { ...RUN, startedAt: Date.parse('2026-11-24T03:01:00Z') },
      /started after/
    ],
    [
      'ended before the lock',
      { ...RUN, updatedAt: Date.parse('2026-11-24T02:55:00Z') },
      /ended before/
    ]
  ])('refuses GitHub’s answer: %s', (_name, run, why) => {
    expect(judgeRun(LOCK, RECORD, run, HERE)).toMatchObject({
      kind: 'unproven',
      why: expect.stringMatching(why)
    });
  });
});
