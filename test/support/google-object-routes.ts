/**
 * Cloud Storage's JSON API for single objects, as strict as the real one for the calls the action
 * makes (https://cloud.google.com/storage/docs/json_api/v1/objects; the discovery document in the
 * googleapis package, build/src/apis/storage/v1.js):
 * - objects.get `GET /storage/v1/b/BUCKET/o/OBJECT`: the Object resource (`generation` and `size`
 *   as strings, int64 in JSON); with `alt=media` the content itself under the object's content
 *   type; `generation=G` picks that generation (404 when it is not live: no versioning here).
 * - objects.insert `POST /upload/storage/v1/b/BUCKET/o?uploadType=media&name=OBJECT`: the body is
 *   the content, its Content-Type kept; no uploadType=media, no name, no content type or no body
 *   is a 400.
 * - objects.delete `DELETE /storage/v1/b/BUCKET/o/OBJECT`: 204; `ifGenerationMatch=G` makes it
 *   conditional (412 conditionNotMet when the live generation is another).
 * OBJECT must be URL-encoded whole in the path (a raw `/` is another path, which has no route);
 * a generation that is not a decimal number is a 400. Errors have the JSON API's shape: {error:
 * {code, message, errors: [{domain: 'global', reason, message}]}}.
 */
import type { GoogleAnswer, GoogleServer } from './google-server.js';

export interface StandinObject {
  readonly generation: string;
  readonly content: string;
  readonly contentType?: string;
}

/** Where the routes keep objects (a test's own map, or the stand-in tools' world). */
export interface ObjectStore {
  bucketExists(bucket: string): boolean;
  get(bucket: string, name: string): StandinObject | undefined;
  /** Writes the object; its new generation. */
  put(bucket: string, name: string, content: string, contentType: string): string;
  remove(bucket: string, name: string): void;
}

const OBJECT_PATH = /^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)$/;
const UPLOAD_PATH = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/;
const NUMBER = /^[0-9]+$/;

/** The JSON API's error body (Cloud Storage keeps the older `errors` list, not `details`). */
export function storageError(code: number, reason: string, message: string): GoogleAnswer {
  return {
    status: code,
    body: { error: { code, message, errors: [{ message, domain: 'global', reason }] } }
  };
}

const noBucket = () => storageError(404, 'notFound', 'The specified bucket does not exist.');
const noObject = (bucket: string, name: string) =>
  storageError(404, 'notFound', `No such object: ${bucket}/${name}`);
const conditionNotMet = () =>
  storageError(
    412,
    'conditionNotMet',
    'At least one of the pre-conditions you specified did not hold.'
  );
const invalid = (message: string) => storageError(400, 'invalid', message);

/** A generation parameter, checked as Google parses an int64: undefined when absent. */
function generationOf(query: URLSearchParams, key: string): string | undefined | GoogleAnswer {
  const value = query.get(key);
  if (value === null) return undefined;
  return NUMBER.test(value) ? value : invalid(`Invalid argument for ${key}: ${value}`);
}

const isAnswer = (v: unknown): v is GoogleAnswer => typeof v === 'object' && v !== null;

function resource(bucket: string, name: string, found: StandinObject) {
  const encoded = `${encodeURIComponent(bucket)}/o/${encodeURIComponent(name)}`;
  return {
    kind: 'storage#object',
    id: `${bucket}/${name}/${found.generation}`,
    selfLink: `https://www.googleapis.com/storage/v1/b/${encoded}`,
    mediaLink: `https://storage.googleapis.com/download/storage/v1/b/${encoded}?generation=${found.generation}&alt=media`,
    name,
    bucket,
    generation: found.generation,
    metageneration: '1',
    contentType: found.contentType ?? 'application/octet-stream',
    size: String(Buffer.byteLength(found.content)),
    storageClass: 'STANDARD'
  };
}

/** Serves objects.get (metadata and media), objects.insert (media upload) and objects.delete. */
export function serveObjects(google: GoogleServer, store: ObjectStore): void {
  const parts = (path: string): [string, string] => {
    const [, bucket = '', name = ''] = OBJECT_PATH.exec(path) ?? [];
    return [decodeURIComponent(bucket), decodeURIComponent(name)];
  };

  google.on('GET', 'storage', OBJECT_PATH, (call) => {
    const [bucket, name] = parts(call.path);
    const generation = generationOf(call.query, 'generation');
    if (isAnswer(generation)) return generation;
    const alt = call.query.get('alt') ?? 'json';
    if (alt !== 'json' && alt !== 'media') return invalid(`Invalid value for alt: ${alt}`);
    if (!store.bucketExists(bucket)) return noBucket();
    const found = store.get(bucket, name);
    if (!found || (generation !== undefined && generation !== found.generation)) {
      return noObject(bucket, name);
    }
    if (alt === 'media') {
      return {
        raw: { contentType: found.contentType ?? 'application/octet-stream', data: found.content }
      };
    }
    return { body: resource(bucket, name, found) };
  });

  google.on('POST', 'storage', UPLOAD_PATH, (call) => {
    const bucket = decodeURIComponent(UPLOAD_PATH.exec(call.path)?.[1] ?? '');
    if (call.query.get('uploadType') !== 'media') {
      return invalid(
        `Upload requests must specify an uploadType of media here; got ${call.query.get('uploadType') ?? 'none'}.`
      );
    }
    const name = call.query.get('name');
    if (!name) return storageError(400, 'required', 'Required');
    if (!call.contentType || call.rawBody === '') {
      return invalid('A media upload needs a Content-Type and the content as its body.');
    }
    if (/^multipart\//i.test(call.contentType)) {
      return invalid('uploadType=media takes the content only, not a multipart body.');
    }
    const ifMatch = generationOf(call.query, 'ifGenerationMatch');
    if (isAnswer(ifMatch)) return ifMatch;
    if (!store.bucketExists(bucket)) return noBucket();
    const live = store.get(bucket, name);
    if (ifMatch !== undefined && (live?.generation ?? '0') !== ifMatch) return conditionNotMet();
    const generation = store.put(bucket, name, call.rawBody, call.contentType);
    return {
      body: resource(bucket, name, {
        generation,
        content: call.rawBody,
        contentType: call.contentType
      })
    };
  });

  google.on('DELETE', 'storage', OBJECT_PATH, (call) => {
    const [bucket, name] = parts(call.path);
    const ifMatch = generationOf(call.query, 'ifGenerationMatch');
    if (isAnswer(ifMatch)) return ifMatch;
    if (!store.bucketExists(bucket)) return noBucket();
    const live = store.get(bucket, name);
    if (!live) return noObject(bucket, name);
    if (ifMatch !== undefined && ifMatch !== live.generation) return conditionNotMet();
    store.remove(bucket, name);
    return { status: 204 };
  });
}

/** A store over a plain map keyed `BUCKET/NAME`, for unit tests. */
export function mapStore(
  buckets: readonly string[],
  objects: Map<string, StandinObject> = new Map()
): ObjectStore & { readonly objects: Map<string, StandinObject> } {
  let next = 1_700_000_000_000_000;
  return {
    objects,
    bucketExists: (bucket) => buckets.includes(bucket),
    get: (bucket, name) => objects.get(`${bucket}/${name}`),
    put: (bucket, name, content, contentType) => {
      next += 1;
      const generation = String(next);
      objects.set(`${bucket}/${name}`, { generation, content, contentType });
      return generation;
    },
    remove: (bucket, name) => void objects.delete(`${bucket}/${name}`)
  };
}
