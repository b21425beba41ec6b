/**
 * Single objects in the state bucket through Cloud Storage's JSON API, against a loopback Storage
 * as strict as the real one (google-object-routes.ts): the object name is encoded whole in the
 * path, content is read by generation, a media upload carries the bytes with their content type,
 * and a delete on condition of a generation answers 412 when the object has changed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { googleApiFor } from '../src/gcp/client.js';
import { endpoints } from '../src/gcp/endpoints.js';
import { createGoogleApi, GoogleApiError, type GoogleApi } from '../src/gcp/google-api.js';
import {
  deleteObjectGeneration,
  describeObjectContentRead,
  describeObjectDelete,
  describeObjectInsert,
  insertObject,
  readObjectContent,
  readObjectGeneration
} from '../src/gcp/storage-objects.js';
import { mapStore, serveObjects } from './support/google-object-routes.js';
import { GoogleServer } from './support/google-server.js';

const BUCKET = 'acme-tfstate';
const NAME = 'flyte-gke/flyte/default.tflock';
let google: GoogleServer;
let api: GoogleApi;
const store = mapStore([BUCKET]);

beforeAll(async () => {
  google = await new GoogleServer().start();
  serveObjects(google, store);
  const { file, env } = google.credentials();
  api = googleApiFor(file, env);
});
afterAll(async () => google.stop());
beforeEach(() => store.objects.clear());

const statusOf = async (call: Promise<unknown>) => {
  try {
    await call;
    return 'ok';
  } catch (error) {
    return error instanceof GoogleApiError ? `${error.httpStatus} ${error.reason}` : String(error);
  }
};

describe('state objects through the Storage JSON API', () => {
  it('reads the generation and the content of that generation; none when missing', async () => {
    expect(await readObjectGeneration(api, BUCKET, NAME)).toBeUndefined();
    expect(await readObjectContent(api, BUCKET, NAME)).toBeUndefined();
    const generation = store.put(BUCKET, NAME, '{"Who":"runner@h"}', 'application/json');
    expect(await readObjectGeneration(api, BUCKET, NAME)).toBe(generation);
    expect(await readObjectContent(api, BUCKET, NAME, generation)).toBe('{"Who":"runner@h"}');
    // A generation no longer live reads as none: what is judged is what was read.
    expect(await readObjectContent(api, BUCKET, NAME, '1')).toBeUndefined();
    const get = google.calls.at(-1)!;
    expect(get.path).toBe('/storage/v1/b/acme-tfstate/o/flyte-gke%2Fflyte%2Fdefault.tflock');
    expect([get.query.get('alt'), get.query.get('generation')]).toEqual(['media', '1']);
  });

  it('writes with a media upload: the body is the content, under its content type', async () => {
    const generation = await insertObject(
      api,
      BUCKET,
      'p/holder.json',
      '{"runId":1}\n',
      'application/json'
    );
    expect(store.objects.get(`${BUCKET}/p/holder.json`)).toEqual({
      generation,
      content: '{"runId":1}\n',
      contentType: 'application/json'
    });
    const upload = google.calls.at(-1)!;
    expect(upload.path).toBe('/upload/storage/v1/b/acme-tfstate/o');
    expect([upload.query.get('uploadType'), upload.query.get('name')]).toEqual([
      'media',
      'p/holder.json'
    ]);
    // Not JSON: sent and stored as it is.
    await insertObject(api, BUCKET, 'p/note.txt', 'plain words', 'text/plain');
    expect(await readObjectContent(api, BUCKET, 'p/note.txt')).toBe('plain words');
  });

  it('deletes only the generation asked: 412 leaves a changed object, 404 when gone', async () => {
    const first = store.put(BUCKET, NAME, '{}', 'application/json');
    const second = store.put(BUCKET, NAME, '{}', 'application/json');
    expect(await deleteObjectGeneration(api, BUCKET, NAME, first)).toBe('changed');
    expect(store.get(BUCKET, NAME)?.generation).toBe(second);
    expect(await deleteObjectGeneration(api, BUCKET, NAME, second)).toBe('deleted');
    expect(store.get(BUCKET, NAME)).toBeUndefined();
    expect(google.calls.at(-1)?.query.get('ifGenerationMatch')).toBe(second);
    expect(await deleteObjectGeneration(api, BUCKET, NAME, second)).toBe('missing');
  });

  it('other failures are errors with the status and reason Google gave', async () => {
    // A missing bucket is Google's 404 too: no object there.
    expect(await readObjectGeneration(api, 'no-such-bucket', NAME)).toBeUndefined();
    google.fail(/\/o\//, {
      status: 403,
      body: {
        error: {
          code: 403,
          message: 'deployer does not have storage.objects.delete access',
          errors: [{ domain: 'global', reason: 'forbidden', message: 'no' }]
        }
      }
    });
    try {
      expect(await statusOf(deleteObjectGeneration(api, BUCKET, NAME, '5'))).toBe('403 forbidden');
    } finally {
      google.reset();
    }
  });

  it.each([
    [{}, 'https://storage.googleapis.com/upload/storage/v1/b/acme-tfstate/o'],
    [
      { FLYTE_GKE_GOOGLE_API_ENDPOINT: 'https://{service}-corp.p.googleapis.com' },
      'https://storage-corp.p.googleapis.com/upload/storage/v1/b/acme-tfstate/o'
    ]
  ])('the upload goes to upload/storage/v1 on the Storage host (%j)', async (env, url) => {
    const sent: { url: string; init: RequestInit }[] = [];
    const client = createGoogleApi({
      auth: { getAccessToken: async () => ({ token: 'ya29.t' }) },
      endpointOf: endpoints(env),
      fetch: async (input, init) => {
        sent.push({ url: String(input), init: init ?? {} });
        return new Response('{"generation":"9"}', { status: 200 });
      }
    });
    expect(await insertObject(client, BUCKET, 'p/h.json', '{}\n', 'application/json')).toBe('9');
    expect(sent[0]!.url).toBe(`${url}?uploadType=media&name=p%2Fh.json`);
    expect(sent[0]!.init.body).toBe('{}\n');
    expect((sent[0]!.init.headers as Record<string, string>)['content-type']).toBe(
      'application/json'
    );
  });

  it('describes the calls for the dry run', () => {
    expect(describeObjectContentRead(BUCKET, NAME, '<lock ID>')).toBe(
      'GET https://storage.googleapis.com/storage/v1/b/acme-tfstate/o/flyte-gke%2Fflyte%2Fdefault.tflock?alt=media&generation=<lock ID>'
    );
    expect(describeObjectInsert(BUCKET, 'p/h.json')).toBe(
      'POST https://storage.googleapis.com/upload/storage/v1/b/acme-tfstate/o?uploadType=media&name=p%2Fh.json'
    );
    expect(describeObjectDelete(BUCKET, NAME, '7')).toBe(
      'DELETE https://storage.googleapis.com/storage/v1/b/acme-tfstate/o/flyte-gke%2Fflyte%2Fdefault.tflock?ifGenerationMatch=7'
    );
  });
});

describe('the loopback Storage is as strict as the real one', () => {
  const raw = (
    method: string,
    path: string,
    query: Record<string, string>,
    body?: { contentType: string; data: string }
  ) =>
    statusOf(
      api.request({
        service: 'storage',
        method: method as 'GET',
        path,
        query,
        ...(body ? { rawBody: body } : {})
      })
    );
  const UPLOAD = `/upload/storage/v1/b/${BUCKET}/o`;
  const json = { contentType: 'application/json', data: '{}' };

  it('refuses an upload without uploadType=media, without a name, or without content', async () => {
    expect(await raw('POST', UPLOAD, { name: 'a' }, json)).toBe('400 invalid');
    expect(await raw('POST', UPLOAD, { uploadType: 'multipart', name: 'a' }, json)).toBe(
      '400 invalid'
    );
    expect(await raw('POST', UPLOAD, { uploadType: 'media' }, json)).toBe('400 required');
    expect(await raw('POST', UPLOAD, { uploadType: 'media', name: 'a' })).toBe('400 invalid');
    // A JSON content type must carry JSON (the server's own check).
    expect(
      await raw(
        'POST',
        UPLOAD,
        { uploadType: 'media', name: 'a' },
        { contentType: 'application/json', data: 'not json' }
      )
    ).toMatch(/^400/);
    expect(store.objects.size).toBe(0);
  });

  it('refuses a generation that is not a number, and an object name not encoded whole', async () => {
    store.put(BUCKET, NAME, '{}', 'application/json');
    const path = `/storage/v1/b/${BUCKET}/o/${encodeURIComponent(NAME)}`;
    expect(await raw('DELETE', path, { ifGenerationMatch: 'latest' })).toBe('400 invalid');
    expect(await raw('GET', path, { alt: 'media', generation: '-1' })).toBe('400 invalid');
    expect(await raw('GET', `/storage/v1/b/${BUCKET}/o/${NAME}`, {})).toMatch(/^404/);
    expect(store.get(BUCKET, NAME)).toBeDefined();
  });

  it('the client sends either a JSON body or a raw one, never both', async () => {
    await expect(
      api.request({ service: 'storage', method: 'POST', path: UPLOAD, body: {}, rawBody: json })
    ).rejects.toThrow(/either a JSON body or a raw body/);
  });
});
