/**
 * Preflight: read-only checks of the project after authentication and before any Terraform or
 * changing command, so a missing role, an API that is off, an organisation policy or missing
 * GPU quota fails in seconds with its fix instead of 20 minutes into an apply. The checks are
 * independent reads and run at the same time (started by the first check step); each step then
 * reports its own, and the last step fails the run if any check failed.
 */
import type { Inputs } from '../inputs.js';
import type { Phase, Step, TaskContext } from '../engine/types.js';
import { StepError } from '../errors.js';
import type { GoogleApi } from '../gcp/google-api.js';
import { checkApis, describeApisCheck, APIS_CHECK } from '../gcp/preflight-apis.js';
import {
  checkGpuQuota,
  describeGpuQuotaCheck,
  GPU_QUOTA_CHECK
} from '../gcp/preflight-gpu-quota.js';
import {
  checkPermissions,
  describePermissionsCheck,
  PERMISSIONS_CHECK
} from '../gcp/preflight-iam.js';
import {
  checkOrgPolicies,
  describeOrgPoliciesCheck,
  ORG_POLICIES_CHECK
} from '../gcp/preflight-org-policies.js';
import { identityName } from '../gcp/preflight-permissions.js';
import type { PreflightResult } from '../gcp/preflight-result.js';

interface Check {
  readonly id: string;
  readonly title: string;
  readonly subject: string;
  readonly describe: string;
  readonly run: (google: GoogleApi) => Promise<PreflightResult>;
}

export const PREFLIGHT_PHASE = 'Preflight';

function checksFor(inputs: Inputs): Check[] {
  const who = identityName(inputs.command);
  const pool = inputs.gpuPool;
  return [
    {
      id: PERMISSIONS_CHECK,
      title: `Preflight: the ${who} holds the permissions ${inputs.command} needs`,
      subject: `the ${who}'s permissions`,
      describe: describePermissionsCheck(inputs),
      run: (google) => checkPermissions(google, inputs)
    },
    {
      id: APIS_CHECK,
      title: 'Preflight: the APIs the module needs are on, or the module turns them on',
      subject: 'APIs',
      describe: describeApisCheck(inputs),
      run: (google) => checkApis(google, inputs)
    },
    {
      id: ORG_POLICIES_CHECK,
      title: 'Preflight: no organisation policy refuses what the module creates',
      subject: 'organisation policies',
      describe: describeOrgPoliciesCheck(inputs),
      run: (google) => checkOrgPolicies(google, inputs)
    },
    ...(pool
      ? [
          {
            id: GPU_QUOTA_CHECK,
            title: `Preflight: GPU quota for the ${pool.acceleratorType} pool in ${inputs.region}`,
            subject: `GPU quota (${pool.acceleratorType} in ${inputs.region})`,
            describe: describeGpuQuotaCheck(inputs, pool),
            run: (google: GoogleApi) => checkGpuQuota(google, inputs, pool)
          }
        ]
      : [])
  ];
}

export function preflightPhase(inputs: Inputs): Phase {
  return {
    name: PREFLIGHT_PHASE,
    steps: () => {
      const checks = checksFor(inputs);
      let started: Promise<Map<string, PreflightResult>> | undefined;
      const results = (ctx: TaskContext) => (started ??= runAll(ctx, checks));
      const checkSteps: Step[] = checks.map((check) => ({
        kind: 'task',
        id: check.id,
        title: check.title,
        mutates: false,
        describe: () => check.describe,
        run: async (ctx) => {
          const result = (await results(ctx)).get(check.id)!;
          ctx.state.preflight.push(result);
          logResult(ctx, result);
        }
      }));
      return [...checkSteps, verdictStep()];
    }
  };
}

/** Every check at once; a check that throws is reported as not checked, never as a failure. */
async function runAll(ctx: TaskContext, checks: readonly Check[]) {
  let google: GoogleApi | undefined;
  let why = 'no Google client in this run';
  try {
    google = ctx.google?.();
  } catch (error) {
    why = (error as Error).message;
  }
  const answers = await Promise.all(
    checks.map(async (check): Promise<PreflightResult> => {
      if (!google) return notChecked(check, `Could not make a Google API client: ${why}`);
      try {
        return await check.run(google);
      } catch (error) {
        return notChecked(check, `The check itself failed: ${(error as Error).message}`);
      }
    })
  );
  return new Map(answers.map((a) => [a.check, a]));
}

const notChecked = (check: Check, found: string): PreflightResult => ({
  check: check.id,
  subject: check.subject,
  status: 'not-checked',
  found
});

export const STATUS_MARK: Readonly<Record<PreflightResult['status'], string>> = {
  pass: 'pass',
  fail: 'FAIL',
  'not-checked': 'not checked'
};

function logResult(ctx: TaskContext, result: PreflightResult): void {
  const line = `${STATUS_MARK[result.status]}: ${result.subject}: ${result.found}`;
  if (result.status === 'not-checked') ctx.log.warning(`Preflight ${line} The run goes on.`);
  else ctx.log.info(line);
  for (const fix of result.fixes ?? []) ctx.log.info(`  fix: ${fix}`);
}

function verdictStep(): Step {
  return {
    kind: 'task',
    id: 'preflight-verdict',
    title: 'Preflight: stop before any change if a check failed',
    mutates: false,
    describe: () =>
      'Fails the run here, before Terraform or any changing command, when a check failed, naming each missing thing and its fix; a check that could not read is reported as not checked and the run goes on.',
    run: async (ctx) => {
      const results = ctx.state.preflight;
      const failed = results.filter((r) => r.status === 'fail');
      if (failed.length > 0) {
        throw new StepError(
          'preflight-verdict',
          [
            `Preflight found ${failed.length} problem(s) before any change was made:`,
            ...failed.flatMap((r) => [
              `- ${r.subject}: ${r.found}`,
              ...(r.fixes ?? []).map((f) => `  fix: ${f}`)
            ])
          ].join('\n')
        );
      }
      const unchecked = results.filter((r) => r.status === 'not-checked').length;
      ctx.log.info(
        `Preflight passed: ${results.length - unchecked} check(s) passed${unchecked > 0 ? `, ${unchecked} could not be checked (see the warnings)` : ''}.`
      );
    }
  };
}
