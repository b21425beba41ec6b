/**
 * The action's own Google REST client against a loopback Google: the credentials file the auth
 * phase writes is exchanged at STS and impersonated like Google does it, API calls carry the
 * impersonated account's token, Google's errors keep their status and reason, and a planted
 * credentials file or endpoint cannot send tokens anywhere but Google (or loopback for tests).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { googleApiFor } from '../src/gcp/client.js';
import { endpoints } from '../src/gcp/endpoints.js';
import { createGoogleApi, GoogleApiError } from '../src/gcp/google-api.js';
import { GoogleServer, googleError } from './support/google-server.js';

let google: GoogleServer;

beforeAll(async () => {
  google = await new GoogleServer().start();
});
afterAll(async () => google.stop());

describe('the Google REST client', () => {
  it('exchanges the job token, impersonates the account and calls the API with its token', async () => {
    google.on(
      'POST',
      'cloudresourcemanager',
      '/v1/projects/my-project:testIamPermissions',
      (call) => ({
        body: { permissions: (call.body as { permissions: string[] }).permissions.slice(0, 1) }
      })
    );
    const { file, env } = google.credentials();
    const api = googleApiFor(file, env);
    const before = google.exchanges;
    const answer = await api.request<{ permissions: string[] }>({
      service: 'cloudresourcemanager',
      method: 'POST',
      path: '/v1/projects/my-project:testIamPermissions',
      body: { permissions: ['container.clusters.get', 'iam.roles.create'] }
    });
    expect(answer.permissions).toEqual(['container.clusters.get']);
    // The token is kept: a second call makes no second exchange.
    await api.request({
      service: 'cloudresourcemanager',
      method: 'POST',
      path: '/v1/projects/my-project:testIamPermissions',
      body: { permissions: ['x.y.z'] }
    });
    expect(google.exchanges - before).toBe(1);
    expect(google.calls.at(-1)?.authorization).toBe('Bearer ya29.service-account-token');
  });

  it('sends query parameters and keeps Google’s status and reason in the error', async () => {
    google.on('GET', 'serviceusage', '/v1/projects/my-project/services', (call) =>
      call.query.get('filter') === 'state:ENABLED'
        ? googleError(
            403,
            'PERMISSION_DENIED',
            'Permission denied to list services.',
            'IAM_PERMISSION_DENIED'
          )
        : { body: {} }
    );
    const { file, env } = google.credentials();
    const error = await googleApiFor(file, env)
      .request({
        service: 'serviceusage',
        path: '/v1/projects/my-project/services',
        query: { filter: 'state:ENABLED' }
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GoogleApiError);
    expect(error).toMatchObject({
      httpStatus: 403,
      status: 'PERMISSION_DENIED',
      reason: 'IAM_PERMISSION_DENIED'
    });
    expect((error as Error).message).toContain(
      'GET serviceusage.googleapis.com/v1/projects/my-project/services answered 403'
    );
  });

  it('retries a GET on 503 and never retries a POST', async () => {
    let gets = 0;
    let posts = 0;
    google.on('GET', 'compute', '/compute/v1/projects/p/regions/r', () =>
      ++gets < 3 ? googleError(503, 'UNAVAILABLE', 'try later') : { body: { name: 'r' } }
    );
    google.on('POST', 'compute', '/compute/v1/projects/p/regions/r', () => {
      posts += 1;
      return googleError(503, 'UNAVAILABLE', 'try later');
    });
    const { file, env } = google.credentials();
    const api = googleApiFor(file, env);
    await expect(
      api.request({ service: 'compute', path: '/compute/v1/projects/p/regions/r' })
    ).resolves.toEqual({ name: 'r' });
    expect(gets).toBe(3);
    await expect(
      api.request({
        service: 'compute',
        method: 'POST',
        path: '/compute/v1/projects/p/regions/r',
        body: {}
      })
    ).rejects.toMatchObject({ httpStatus: 503 });
    expect(posts).toBe(1);
  });

  it('refuses a credentials file whose token exchange points at another host', () => {
    const { file, env } = google.credentials();
    const planted = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    planted.token_url = 'https://attacker.example/v1/token';
    writeFileSync(file, JSON.stringify(planted));
    expect(() => googleApiFor(file, env)).toThrow(/token_url points at attacker\.example/);
    planted.token_url = 'https://sts.googleapis.com/v1/token';
    planted.service_account_impersonation_url = 'https://evil.example/v1/x:generateAccessToken';
    writeFileSync(file, JSON.stringify(planted));
    expect(() => googleApiFor(file, env)).toThrow(
      /service_account_impersonation_url points at evil\.example/
    );
  });

  it('moves Google’s own token hosts to the configured endpoint, and uses Google’s by default', () => {
    expect(endpoints({})('container')).toBe('https://container.googleapis.com');
    expect(
      endpoints({ FLYTE_GKE_GOOGLE_API_ENDPOINT: 'https://{service}-corp.p.googleapis.com' })('sts')
    ).toBe('https://sts-corp.p.googleapis.com');
  });

  it('accepts as endpoint only googleapis.com over https or loopback', () => {
    for (const bad of [
      'https://{service}.evil.example',
      'http://{service}.googleapis.com',
      'https://googleapis.com.evil.example/{service}',
      'http://10.0.0.1/{service}'
    ]) {
      expect(() => endpoints({ FLYTE_GKE_GOOGLE_API_ENDPOINT: bad })).toThrow(
        /FLYTE_GKE_GOOGLE_API_ENDPOINT/
      );
    }
    expect(() =>
      endpoints({ FLYTE_GKE_GOOGLE_API_ENDPOINT: 'https://restricted.googleapis.com' })
    ).toThrow(/\{service\}/);
  });

  it('reports an empty access token instead of calling without one', async () => {
    const api = createGoogleApi({
      auth: { getAccessToken: async () => ({ token: null }) },
      endpointOf: endpoints({ FLYTE_GKE_GOOGLE_API_ENDPOINT: google.endpoint })
    });
    await expect(api.request({ service: 'compute', path: '/x' })).rejects.toThrow(
      /no access token/
    );
  });
});
