/**
 * No database password in Terraform state or plan files, through the bundled action (dist/main)
 * on the stand-ins, whose terraform keeps ephemeral values and write-only arguments out of state
 * as Terraform 1.11 does (test/support/standins/terraform-values.mjs).
 *
 * An existing deployment from before (its state holds a random_password and a Cloud SQL user
 * with that password) is migrated by one deploy: the random_password is forgotten, the password
 * rotated into Secret Manager and the user, the database kept. A pull request that plants a print
 * of the password (`nonsensitive(join(" ", split("", ...)))`) finds it in the comment on the old
 * state, and nothing on the migrated one.
 * Needs a fresh `npm run build` after changes to src/.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  jobInputs,
  PR_NUMBER,
  runJob,
  startGitHub,
  startToolMirror,
  withStateBucket
} from './support/e2e-jobs.js';
import type { GitHubServer } from './support/github-server.js';
import { Harness, type StepResult } from './support/harness.js';
import type { Mirror } from './support/mirror.js';
import { PROJECT_ROOT } from './support/project.js';

/** The password the earlier release generated and kept in state. */
const OLD = 'pg-old-canary-Lk29XwQe7Rt';
/** The one this release's ephemeral random_password generates in the migrating apply. */
const NEW = 'pg-new-canary-Vb83NmZa1Ys';
/** What the planted print turns a password into. */
const spaced = (secret: string) => secret.split('').join(' ');
const SECRETS = [OLD, NEW, spaced(OLD), spaced(NEW)];

/** The bundled module's resources, less those this release adds: what the old state listed. */
function legacyResources(): string[] {
  const dir = path.join(PROJECT_ROOT, 'terraform');
  const declared = readdirSync(dir)
    .filter((f) => f.endsWith('.tf'))
    .flatMap((f) =>
      [
        ...readFileSync(path.join(dir, f), 'utf8').matchAll(/^resource "([\w-]+)" "([\w-]+)"/gm)
      ].map((m) => `${m[1]}.${m[2]}`)
    );
  return [
    ...declared.filter((a) => !a.startsWith('google_secret_manager_')),
    'random_password.database'
  ];
}

/** The world an earlier release left: the password in state, as `random_password.result`. */
function seedLegacyDeployment(harness: Harness): void {
  withStateBucket(harness);
  harness.setWorld((w) => {
    w.terraform = {
      applied: 'applied-by-a-release-with-random_password',
      resources: legacyResources(),
      state: {
        version: 4,
        resources: {
          'random_password.database': { length: 32, special: false, result: OLD },
          'google_sql_user.flyte': { name: 'flytepg', password: OLD },
          'google_sql_database_instance.main': { database_version: 'POSTGRES_15' }
        }
      },
      // Stands for the randomness of this release's ephemeral random_password.
      password: NEW
    };
    w.gcloud = { ...w.gcloud, sqlUsers: { flytepg: OLD } };
  });
}

/** A pull request's module: the bundled one plus a print of the password into the plan. */
const PLANTED_PRINT = [
  '# Re-declares the resource the state held, to read its result while planning.',
  'resource "random_password" "database" {',
  '  length  = 32',
  '  special = false',
  '}',
  'resource "terraform_data" "leak" {',
  '  input = nonsensitive(join(" ", split("", random_password.database.result)))',
  '}',
  ''
].join('\n');
const PLANTED_EPHEMERAL = [
  'resource "terraform_data" "leak" {',
  '  input = nonsensitive(join(" ", split("", ephemeral.random_password.database.result)))',
  '}',
  ''
].join('\n');

describe('the database password never enters Terraform state or plan files', () => {
  let github: GitHubServer;
  let mirror: Mirror;
  let base: Record<string, string>;
  let legacy: Record<string, unknown>;
  let migrated: Record<string, unknown>;
  let migration: StepResult;
  let deployer: Harness;
  const steps: StepResult[] = [];
  const harnesses: Harness[] = [];

  beforeAll(async () => {
    [github, mirror] = await Promise.all([startGitHub(), startToolMirror()]);
    base = jobInputs(mirror);
    deployer = await Harness.create({ event: 'push', oidc: true, githubApiUrl: github.url });
    harnesses.push(deployer);
    seedLegacyDeployment(deployer);
    legacy = deployer.world();
    const { main, post } = await runJob(deployer, {
      ...base,
      command: 'deploy',
      'comment-on-pr': 'false'
    });
    steps.push(main, post);
    migration = main;
    migrated = deployer.world();
  });
  afterAll(async () => {
    await Promise.all([...harnesses.map((h) => h.close()), github.stop(), mirror.close()]);
  });

  /** A plan on the pull request, with `planted` added to its module, against `world`. */
  async function plantedPlan(world: Record<string, unknown>, planted: string) {
    const pr = await Harness.create({
      event: 'pull_request',
      oidc: true,
      githubApiUrl: github.url
    });
    harnesses.push(pr);
    pr.setWorld((w) => Object.assign(w, structuredClone(world)));
    pr.writeWorkspaceFile('flyte-terraform/leak.tf', planted);
    // The author also drops the removed block, which Terraform refuses beside the resource.
    const passwordFile = path.join(pr.moduleDir, 'database-password.tf');
    pr.writeWorkspaceFile(
      'flyte-terraform/database-password.tf',
      readFileSync(passwordFile, 'utf8').replace(/^removed \{[\s\S]*?\n\}\n/m, '')
    );
    const { main, post } = await runJob(pr, { ...base, command: 'plan' });
    steps.push(main, post);
    // One marked comment per deployment, updated by each plan.
    const marker = '<!-- flyte-gke-action:acme-flyte-e2e/flyte-e2e -->';
    const comment = github.commentsOn(PR_NUMBER).find((c) => c.body.includes(marker))?.body ?? '';
    return { main, comment, harness: pr };
  }

  it('migrates: forgets the random_password, rotates the password into Secret Manager and the user, keeps the database', () => {
    expect(migration.errors).toEqual([]);
    expect(migration.exitCode).toBe(0);
    const plan = migration.summary;
    expect(plan).toMatch(/random_password\.database will no longer be managed by Terraform/);
    expect(plan).not.toMatch(/random_password\.database will be destroyed/);
    expect(plan).not.toMatch(
      /google_sql_database_instance\.main (will be destroyed|must be replaced)/
    );
    const gcloud = migrated.gcloud as {
      secretVersions: Record<string, string>;
      sqlUsers: Record<string, string>;
    };
    // The user and the secret hold the same new password; the old one opens nothing.
    expect(gcloud.sqlUsers.flytepg).toBe(NEW);
    expect(Object.values(gcloud.secretVersions)).toEqual([NEW]);
    // Flyte got it through the values file, from Secret Manager.
    const release = (migrated.helm as { releases: Record<string, any> }).releases[
      'flyte/flyte-backend'
    ];
    expect(release.values.configuration.database.password).toBe(NEW);
    // Read once, through Secret Manager's API (the deployer harness ran this one job), never gcloud.
    expect(migration.calls.filter((c) => c.tool === 'gcloud' && c.args[0] === 'secrets')).toEqual(
      []
    );
    const reads = deployer.google.calls.filter((c) => c.service === 'secretmanager');
    expect(reads.map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET /v1/${Object.keys(gcloud.secretVersions)[0]}:access`
    ]);
  });

  it('leaves no password in the state, old or new', () => {
    const state = JSON.stringify((migrated.terraform as { state: unknown }).state);
    expect(state).toContain('google_sql_user.flyte');
    expect(state).not.toContain('random_password.database');
    for (const secret of SECRETS) expect(state).not.toContain(secret);
    // The check can see it: the old state held it.
    expect(JSON.stringify((legacy.terraform as { state: unknown }).state)).toContain(OLD);
  });

  it('writes plan files without the password: the old state put it in, the migrated one does not', async () => {
    // A deploy's plan file, read before its post step removes it.
    const planFiles = (h: Harness) => h.leftoverFiles().filter((f) => /\.tfplan/.test(f));
    const old = await Harness.create({ event: 'push', oidc: true, githubApiUrl: github.url });
    harnesses.push(old);
    old.setWorld((w) => Object.assign(w, structuredClone(legacy)));
    steps.push(await old.run({ ...base, command: 'plan', 'comment-on-pr': 'false' }));
    expect(planFiles(old).length).toBeGreaterThan(0);
    expect(old.findLeaks([OLD], []).some((l) => /tfplan/.test(l))).toBe(true);
    // ...and the post step removes it.
    steps.push(await old.runPost());
    expect(old.findLeaks([OLD], [])).toEqual([]);

    const now = await Harness.create({ event: 'push', oidc: true, githubApiUrl: github.url });
    harnesses.push(now);
    now.setWorld((w) => Object.assign(w, structuredClone(migrated)));
    const plan = await now.run({ ...base, command: 'plan', 'comment-on-pr': 'false' });
    expect(plan.errors).toEqual([]);
    const files = planFiles(now);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const secret of SECRETS) expect(text).not.toContain(secret);
    }
    steps.push(plan, await now.runPost());
  });

  it('attack: on the old state a planted print puts the password in the pull request comment', async () => {
    const { main, comment } = await plantedPlan(legacy, PLANTED_PRINT);
    expect(main.errors).toEqual([]);
    expect(comment).toContain('terraform_data.leak');
    // Redaction matches exact strings: the spaced-out password goes through.
    expect(comment).toContain(spaced(OLD));
  });

  it('attack: on the migrated state the same print finds no password, and the planner never asks Secret Manager', async () => {
    const { main, comment } = await plantedPlan(migrated, PLANTED_PRINT);
    expect(main.errors).toEqual([]);
    expect(comment).toContain('terraform_data.leak');
    for (const secret of SECRETS) expect(comment).not.toContain(secret);
    expect(main.calls.filter((c) => c.tool === 'gcloud' && c.args[0] === 'secrets')).toEqual([]);
  });

  it('attack: a print of the ephemeral password itself is refused by Terraform', async () => {
    const { main, comment } = await plantedPlan(migrated, PLANTED_EPHEMERAL);
    expect(main.exitCode).not.toBe(0);
    expect(main.errors.join('\n')).toMatch(/Invalid use of ephemeral value/);
    for (const secret of SECRETS) expect(comment).not.toContain(secret);
  });

  it('no step, comment, call or leftover file holds the new password', () => {
    // The jobs above ran (main and post each); run alone, this check has nothing to see.
    expect(steps.length).toBeGreaterThanOrEqual(10);
    const bodies = github.requests.map((r) => JSON.stringify(r.body ?? '')).join('\n');
    for (const h of harnesses) {
      expect(h.findLeaks([NEW, spaced(NEW)], steps, { 'GitHub requests': bodies })).toEqual([]);
    }
  });
});
