/**
 * The smallest safety parts, asserted directly (the mutation run found these untested): redaction
 * takes the longest secret first and ignores empty ones; the secret store keeps every value of
 * four characters or more and lists them; authentication needs RUNNER_TEMP for the credentials file.
 */
import { describe, expect, it } from '@jest/globals';
import { authenticate } from '../src/auth/authenticate.js';
import { redact } from '../src/engine/redact.js';
import { SecretStore } from '../src/engine/secrets.js';
import { fakeContext, testInputs } from './support/fakes.js';

describe('redact', () => {
  it('masks the longest secret first, so a secret holding another vanishes whole', () => {
    expect(redact('token=abcdefgh end', ['abcd', 'abcdefgh'])).toBe('token=*** end');
    expect(redact('token=abcdefgh end', ['abcdefgh', 'abcd'])).toBe('token=*** end');
  });

  it('ignores an empty secret instead of masking between every character', () => {
    expect(redact('plain text', [''])).toBe('plain text');
    expect(redact('a secret here', ['', 'secret'])).toBe('a *** here');
  });
});

describe('SecretStore', () => {
  it('keeps values of four characters or more, once, and reports each to the runner', () => {
    const reported: string[] = [];
    const store = new SecretStore((v) => reported.push(v));
    store.add('abc');
    store.add('abcd');
    store.add('abcd');
    store.add(undefined);
    store.add('');
    store.add('GOCSPX-secret');
    expect(store.list()).toEqual(['abcd', 'GOCSPX-secret']);
    expect(reported).toEqual(['abcd', 'GOCSPX-secret']);
  });
});

describe('authenticate', () => {
  it('stops with a clear message when RUNNER_TEMP is missing, before writing any file', async () => {
    const { ctx, cleanup } = fakeContext({
      inputs: testInputs({
        'workload-identity-provider':
          'projects/123456789012/locations/global/workloadIdentityPools/github/providers/acme'
      }),
      env: {
        ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/token',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token'
      }
    });
    await expect(authenticate(ctx)).rejects.toThrow(
      'RUNNER_TEMP is not set; this action runs on GitHub Actions runners, which set it.'
    );
    expect(cleanup).toEqual([]);
  });
});
