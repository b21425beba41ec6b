/**
 * Every pattern-validated input refuses a valid value with something before or after it: a rule
 * without its anchors would accept `…/providers/x/extra` and fail much later, at the token exchange.
 */
import { describe, expect, it } from '@jest/globals';
import { RULES } from '../src/input-rules.js';

const VALID: Record<keyof typeof RULES, string> = {
  projectId: 'acme-flyte-dev',
  zone: 'us-central1-a',
  region: 'us-central1',
  clusterName: 'flyte-dev',
  workloadIdentityProvider:
    'projects/123456789012/locations/global/workloadIdentityPools/github/providers/flyte',
  serviceAccount: 'flyte-deployer@acme-flyte-dev.iam.gserviceaccount.com',
  domain: 'flyte.acme.dev',
  toolVersion: '1.13.4',
  chartVersion: 'v1.16.8',
  member: 'user:alice@acme.dev',
  releaseName: 'flyte-backend',
  namespace: 'flyte',
  flyteProject: 'flytesnacks',
  gceName: 'flyte-dev-flyte',
  bucket: 'acme-flyte-dev-flyte-tfstate',
  statePrefix: 'flyte-gke/flyte-dev',
  machineType: 'e2-standard-4',
  acceleratorType: 'nvidia-l4',
  oauthClientId: '123456789012-abcdef0123456789.apps.googleusercontent.com',
  mirrorUrl: 'https://mirror.acme.dev/tools'
};

/** What an anchored rule must still refuse: the valid value with a suffix or prefix. */
const SUFFIXES = ['/extra', ' x', '\nx', ';x'];
const PREFIXES = ['x ', ' ', '\n'];

describe('input rules', () => {
  it('have an example for every rule (the list below is complete)', () => {
    expect(Object.keys(VALID).sort()).toEqual(Object.keys(RULES).sort());
  });

  it.each(Object.keys(RULES) as (keyof typeof RULES)[])('%s accepts its example', (rule) => {
    expect(RULES[rule].test(VALID[rule])).toBe(true);
  });

  it.each(Object.keys(RULES) as (keyof typeof RULES)[])(
    '%s refuses the example with a trailing suffix or a leading prefix',
    (rule) => {
      for (const suffix of SUFFIXES) {
        // A URL may end in a path or hold `;`; a space or a line break it must still refuse.
        if (rule === 'mirrorUrl' && (suffix === '/extra' || suffix === ';x')) continue;
        if (rule === 'statePrefix' && suffix === '/extra') continue;
        expect([rule, suffix, RULES[rule].test(`${VALID[rule]}${suffix}`)]).toEqual([
          rule,
          suffix,
          false
        ]);
      }
      for (const prefix of PREFIXES) {
        expect([rule, prefix, RULES[rule].test(`${prefix}${VALID[rule]}`)]).toEqual([
          rule,
          prefix,
          false
        ]);
      }
    }
  );

  it('the workload identity provider refuses a trailing path (the audited mutation)', () => {
    expect(RULES.workloadIdentityProvider.test(`${VALID.workloadIdentityProvider}/extra`)).toBe(
      false
    );
  });
});
