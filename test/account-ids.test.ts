/**
 * Service account IDs from the module's own expressions (terraform/iam.tf, parsed with HashiCorp's
 * HCL parser and evaluated with Terraform's semantics for the few functions they use): two
 * clusters in one project never share an account, every ID is one Google accepts, and an
 * existing account keeps its ID.
 */
import { describe, expect, it } from '@jest/globals';
import { parse } from '@cdktf/hcl2json';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './support/project.js';

interface IamModule {
  locals: Record<string, string>[];
  resource: {
    google_service_account: Record<
      string,
      { account_id: string; lifecycle?: { ignore_changes?: string[] }[] }[]
    >;
  };
}

const parsed = async (file: string) =>
  (await parse(
    file,
    readFileSync(path.join(PROJECT_ROOT, 'terraform', file), 'utf8')
  )) as IamModule;
const iam = await parsed('iam.tf');
// One task account per Flyte domain (for_each over the domains: each.key is the domain).
const tasks = await parsed('task-accounts.tf');
// Flyte 2's one tasks account (count: created only when flyte2_task_namespace is set).
const flyte2 = await parsed('flyte2-tasks.tf');
const locals = Object.assign({}, ...iam.locals) as Record<string, string>;
const DOMAINS = ['development', 'staging', 'production'];

/** Terraform's functions the expressions use; any other name fails the evaluation. */
const FUNCTIONS = {
  length: (s: string) => [...s].length,
  substr: (s: string, offset: number, length: number) =>
    [...s].slice(offset, length < 0 ? undefined : offset + length).join(''),
  trimsuffix: (s: string, suffix: string) => (s.endsWith(suffix) ? s.slice(0, -suffix.length) : s),
  sha256: (s: string) => createHash('sha256').update(s).digest('hex'),
  format: (spec: string, ...args: string[]) => {
    let i = 0;
    return spec.replace(/%s/g, () => String(args[i++]));
  }
};

/** Evaluates "text${EXPR}text" with var.* and local.* (locals evaluated on demand). */
function evaluate(template: string, vars: Record<string, string>, each?: string): string {
  const local: Record<string, string> = new Proxy(
    {},
    { get: (_, name: string) => evaluate(locals[name]!, vars) }
  );
  return template.replace(/\$\{([^{}]*)\}/g, (_, expr: string) => {
    const identifiers = expr.replace(/"[^"]*"/g, '').match(/[a-z_][a-z0-9_]*/gi) ?? [];
    for (const id of identifiers) {
      if (
        ![
          'var',
          'local',
          ...(each === undefined ? [] : ['each', 'key']),
          ...Object.keys(FUNCTIONS),
          ...Object.keys(vars),
          ...Object.keys(locals)
        ].includes(id)
      )
        throw new Error(`the test's evaluator does not know ${id}: extend FUNCTIONS`);
    }
    const js = expr
      .replace(/\bvar\./g, 'v.')
      .replace(/\blocal\./g, 'l.')
      .replace(/\beach\.key\b/g, 'k');
    const fn = new Function('v', 'l', 'k', ...Object.keys(FUNCTIONS), `return (${js});`) as (
      ...args: unknown[]
    ) => unknown;
    return String(fn(vars, local, each, ...Object.values(FUNCTIONS)));
  });
}

const accountIds = (clusterName: string) => ({
  ...Object.fromEntries(
    Object.entries({
      ...iam.resource.google_service_account,
      ...flyte2.resource.google_service_account
    }).map(([name, [account]]) => [
      name,
      evaluate(account!.account_id, { cluster_name: clusterName })
    ])
  ),
  ...Object.fromEntries(
    DOMAINS.map((domain) => [
      `tasks:${domain}`,
      evaluate(
        tasks.resource.google_service_account.domain_tasks![0]!.account_id,
        { cluster_name: clusterName },
        domain
      )
    ])
  )
});

/** Google's rule for a service account ID. */
const VALID_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;

describe('service account IDs', () => {
  it('differ for clusters whose names share their first 20 characters', () => {
    const east = accountIds('flyte-production-us-east1');
    const west = accountIds('flyte-production-us-west1');
    expect(Object.keys(east).sort()).toEqual([
      'flyte',
      'flyte2_tasks',
      'nodes',
      'tasks:development',
      'tasks:production',
      'tasks:staging'
    ]);
    for (const role of Object.keys(east)) expect(east[role]).not.toBe(west[role]);
  });

  it("never give two of one cluster's accounts, or the old shared tasks- account, one ID", () => {
    for (const name of ['flyte-dev', 'a23456789012345678901', 'flyte-production-us-east1']) {
      const ids = Object.values(accountIds(name));
      expect(new Set(ids).size).toBe(ids.length);
      // The module once had one tasks-SUFFIX account for every task pod (deleted since).
      expect(ids).not.toContain(evaluate('tasks-${local.account_suffix}', { cluster_name: name }));
    }
  });

  it.each([
    'f',
    'flyte',
    'flyte-dev',
    'a2345678901234567890',
    'a23456789012345678901',
    'flyte-production-us-east1',
    'abcdefghijklmno-pqrstuvwxyz',
    `f${'x'.repeat(38)}9`,
    'flyte--------------------x'
  ])('%s gives IDs Google accepts', (name) => {
    for (const id of Object.values(accountIds(name))) expect(id).toMatch(VALID_ID);
  });

  it('keep the whole name up to 20 characters, as earlier versions did', () => {
    expect(accountIds('flyte-dev')).toEqual({
      flyte: 'flyte-flyte-dev',
      nodes: 'nodes-flyte-dev',
      flyte2_tasks: 'ftask-flyte-dev',
      // t and four hex digits of the domain's SHA-256.
      'tasks:development': 't875b-flyte-dev',
      'tasks:staging': 'te919-flyte-dev',
      'tasks:production': 'tab8e-flyte-dev'
    });
    expect(accountIds('a2345678901234567890').flyte).toBe('flyte-a2345678901234567890');
  });

  it('a cut name can never equal a whole one: cut IDs are 30 characters, whole ones at most 26', () => {
    for (const name of ['a23456789012345678901', `f${'x'.repeat(38)}9`, 'abcdefghijklmno-pqrstu']) {
      for (const id of Object.values(accountIds(name))) expect(id).toHaveLength(30);
    }
  });

  it('an existing account keeps its ID (no replacement of accounts made under the old rule)', () => {
    for (const [name, [account]] of Object.entries({
      ...iam.resource.google_service_account,
      ...tasks.resource.google_service_account,
      ...flyte2.resource.google_service_account
    })) {
      expect([name, account!.lifecycle?.[0]?.ignore_changes]).toEqual([name, ['${account_id}']]);
    }
  });
});
