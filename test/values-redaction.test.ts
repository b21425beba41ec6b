/**
 * Credentials in Helm values are masked by where they stand, not only by key name: the `value`
 * of an env entry whose `name` looks like a credential (API_SECRET, *_TOKEN, *PASSWORD*, *_KEY,
 * credentials) is masked in the preview, in the diff of deployed values and in the release record,
 * and handed to the run to mask wherever else it shows.
 */
import { describe, expect, it } from '@jest/globals';
import { parse, parseDocument } from 'yaml';
import { recordedValues } from '../src/phases/release-record.js';
import { redactValues, valuesKeyChanges } from '../src/report/values-diff.js';
import { composeValues } from '../src/values/compose.js';
import { gkeChartPath } from '../src/values/gke-chart.js';
import { readProxyConfigSource } from '../src/values/proxy-config.js';
import { DIGEST_ANNOTATION } from '../src/values/digest.js';
import { redactedPreview } from '../src/values/preview.js';
import { SECRET_NAME, secretValuesOf } from '../src/values/secret-values.js';
import { flyteInputs, tfOutputs, CANARY_PASSWORD } from './support/flyte-fixtures.js';
import { PROJECT_ROOT } from './support/project.js';

const PROXY_CONFIG = readProxyConfigSource(gkeChartPath({ actionRoot: PROJECT_ROOT }));

const SECRET_ENV = {
  API_SECRET: 'sk-live-canary-api-secret-91x',
  GITHUB_TOKEN: 'ghp_canaryTokenValue0123456789',
  DB_PASSWORD_PRIMARY: 'canary-db-password-77',
  OPENAI_API_KEY: 'sk-canary-openai-key-4242',
  AWS_SECRET_ACCESS_KEY: 'canary/aws+secret/access=key',
  GOOGLE_CREDENTIALS: '{"type":"canary-credentials"}'
} as const;
const PLAIN_ENV = { LOG_LEVEL: 'debug-verbose', FEATURE_MONKEY: 'banana-split-42' } as const;

const env = (pairs: Record<string, string>) =>
  Object.entries(pairs).map(([name, value]) => ({ name, value }));
const EXTRA = {
  deployment: { extraEnvVars: [...env(SECRET_ENV), ...env(PLAIN_ENV)] }
};

describe('which names are credentials', () => {
  it.each(Object.keys(SECRET_ENV))('%s is one', (name) => {
    expect(SECRET_NAME.test(name)).toBe(true);
  });
  it.each(Object.keys(PLAIN_ENV))('%s is not', (name) => {
    expect(SECRET_NAME.test(name)).toBe(false);
  });
});

describe('a value beside a secret-looking name', () => {
  it('is masked in the preview; a plain env value stays readable', () => {
    const preview = redactedPreview(parseDocument(JSON.stringify(EXTRA)));
    for (const value of Object.values(SECRET_ENV)) expect(preview).not.toContain(value);
    for (const value of Object.values(PLAIN_ENV)) expect(preview).toContain(value);
    const shown = parse(preview) as typeof EXTRA;
    expect(shown.deployment.extraEnvVars[0]).toEqual({ name: 'API_SECRET', value: '***' });
  });

  it('is masked in deployed values the diff compares (helm get values holds it in clear)', () => {
    const text = JSON.stringify(redactValues(EXTRA));
    for (const value of Object.values(SECRET_ENV)) expect(text).not.toContain(value);
    for (const value of Object.values(PLAIN_ENV)) expect(text).toContain(value);
    // A changed secret is a changed line with both sides masked, never the value itself.
    const changed = structuredClone(EXTRA);
    changed.deployment.extraEnvVars[0]!.value = 'sk-live-rotated-secret-0000';
    const keys = valuesKeyChanges(EXTRA, changed, []).join('\n');
    expect(keys).not.toMatch(/sk-live/);
  });

  it('is handed to the run to mask everywhere, also where it stands under a harmless key', () => {
    const values = { ...EXTRA, note: { copiedBy: SECRET_ENV.API_SECRET } };
    expect(secretValuesOf(values).sort()).toEqual(Object.values(SECRET_ENV).sort());
    const composed = composeValues(
      {
        template: { name: 'template', text: 'configuration: {}\n' },
        extras: [{ name: 'extra.yaml', text: JSON.stringify(values) }],
        proxyConfig: PROXY_CONFIG
      },
      { ...flyteInputs(), chartVersion: 'v1.16.8' },
      tfOutputs()
    );
    expect(composed.secrets).toEqual(expect.arrayContaining(Object.values(SECRET_ENV)));
    expect(composed.preview).not.toContain(SECRET_ENV.API_SECRET);
    expect(composed.preview).not.toContain(CANARY_PASSWORD);
    // Helm still gets the real values.
    expect(composed.text).toContain(SECRET_ENV.API_SECRET);
  });

  it('a short value is masked in place but not registered (it would mask ordinary words)', () => {
    const values = { env: [{ name: 'ENABLE_TOKEN_AUTH', value: 'true' }] };
    expect(secretValuesOf(values)).toEqual([]);
    expect(redactedPreview(parseDocument(JSON.stringify(values)))).not.toContain('true');
  });
});

describe('the release record', () => {
  it('holds the masked values as the diff compares them: no comments, no digest, no secret', () => {
    const composed = composeValues(
      {
        template: { name: 'template', text: '# a comment\nconfiguration: {}\n' },
        extras: [{ name: 'extra.yaml', text: JSON.stringify(EXTRA) }],
        proxyConfig: PROXY_CONFIG
      },
      { ...flyteInputs(), chartVersion: 'v1.16.8' },
      tfOutputs()
    );
    const record = recordedValues(composed.preview);
    expect(record).not.toContain('# a comment');
    expect(record).not.toContain(DIGEST_ANNOTATION);
    expect(record).not.toContain(CANARY_PASSWORD);
    for (const value of Object.values(SECRET_ENV)) expect(record).not.toContain(value);
    const values = parse(record) as { deployment: typeof EXTRA.deployment };
    expect(values.deployment.extraEnvVars).toContainEqual({
      name: 'LOG_LEVEL',
      value: 'debug-verbose'
    });
  });
});
