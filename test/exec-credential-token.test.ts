/** The plugin's ExecCredential: expiry ahead of the token's own, a kept token reused, a stale one replaced. */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execCredential, REFRESH_MARGIN_MS } from '../src/credential/exec-credential.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');

function fakeAuth(token: string, expiry: number | undefined) {
  let minted = 0;
  return {
    get minted() {
      return minted;
    },
    auth: () => ({
      credentials: expiry === undefined ? {} : { expiry_date: expiry },
      getAccessToken: async () => {
        minted += 1;
        return { token };
      }
    })
  };
}

const cacheFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'token-')), 'token-cache.json');

describe('execCredential', () => {
  it('prints a v1 ExecCredential that expires before Google’s token does', async () => {
    const google = fakeAuth('ya29.a', NOW + 3600_000);
    const out = JSON.parse(
      await execCredential({ auth: google.auth as never, tokenCache: cacheFile(), now: () => NOW })
    );
    expect(out).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      status: {
        token: 'ya29.a',
        expirationTimestamp: new Date(NOW + 3600_000 - REFRESH_MARGIN_MS).toISOString()
      }
    });
  });

  it('reuses a kept token with time left and mints a new one when it runs short', async () => {
    const tokenCache = cacheFile();
    const google = fakeAuth('ya29.b', NOW + 3600_000);
    await execCredential({ auth: google.auth as never, tokenCache, now: () => NOW });
    await execCredential({ auth: google.auth as never, tokenCache, now: () => NOW + 40 * 60_000 });
    expect(google.minted).toBe(1);
    // 8 minutes left: less than twice the margin, so a long Helm wait gets a fresh token.
    await execCredential({ auth: google.auth as never, tokenCache, now: () => NOW + 52 * 60_000 });
    expect(google.minted).toBe(2);
  });

  it('treats a garbled cache as none', async () => {
    const tokenCache = cacheFile();
    writeFileSync(tokenCache, '{"token": 7');
    const google = fakeAuth('ya29.c', undefined);
    const out = JSON.parse(
      await execCredential({ auth: google.auth as never, tokenCache, now: () => NOW })
    );
    expect(out.status.token).toBe('ya29.c');
    expect(JSON.parse(readFileSync(tokenCache, 'utf8')).token).toBe('ya29.c');
  });
});
