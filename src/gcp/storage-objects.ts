/**
 * Single objects in the Terraform state bucket through Cloud Storage's JSON API, so the state-lock
 * step needs no gcloud (reference: https://cloud.google.com/storage/docs/json_api/v1/objects, and
 * the discovery document the googleapis package ships, build/src/apis/storage/v1.js):
 * - objects.get `GET storage/v1/b/BUCKET/o/OBJECT` (storage.objects.get): the object's metadata,
 *   whose `generation` (an int64, so JSON gives it as a string) is what Terraform's GCS backend
 *   calls the lock ID; 404 when there is no such object.
 * - the same path with `alt=media`: the content instead of the metadata; with `generation=G` the
 *   content of that generation only (404 once it is gone), so what is read is what was judged.
 * - objects.insert as a media upload, `POST upload/storage/v1/b/BUCKET/o?uploadType=media&name=OBJECT`
 *   (storage.objects.create, and storage.objects.delete to replace an object): the request body is
 *   the content, its Content-Type the object's.
 * - objects.delete `DELETE storage/v1/b/BUCKET/o/OBJECT?ifGenerationMatch=G`
 *   (storage.objects.delete): 204, or 412 conditionNotMet when the live generation is not G, or
 *   404 when there is none. What `terraform force-unlock` does on this backend.
 * OBJECT in a path is URL-encoded whole (a `/` as %2F), as the JSON API requires; the upload's
 * `name` is a query parameter and the client encodes it there.
 */
import { GoogleApiError, type GoogleApi } from './google-api.js';

const objectsPath = (bucket: string) => `/storage/v1/b/${encodeURIComponent(bucket)}/o`;
const objectPath = (bucket: string, name: string) =>
  `${objectsPath(bucket)}/${encodeURIComponent(name)}`;
const uploadPath = (bucket: string) => `/upload${objectsPath(bucket)}`;
const HOST = 'https://storage.googleapis.com';

export const describeObjectRead = (bucket: string, name: string): string =>
  `GET ${HOST}${objectPath(bucket, name)}`;

export const describeObjectContentRead = (
  bucket: string,
  name: string,
  generation?: string
): string =>
  `GET ${HOST}${objectPath(bucket, name)}?alt=media${generation ? `&generation=${generation}` : ''}`;

export const describeObjectInsert = (bucket: string, name: string): string =>
  `POST ${HOST}${uploadPath(bucket)}?uploadType=media&name=${encodeURIComponent(name)}`;

export const describeObjectDelete = (bucket: string, name: string, generation: string): string =>
  `DELETE ${HOST}${objectPath(bucket, name)}?ifGenerationMatch=${generation}`;

const isStatus = (error: unknown, status: number): boolean =>
  error instanceof GoogleApiError && error.httpStatus === status;

interface ObjectResource {
  generation?: string | number;
}

/** The live generation of the object, or undefined when there is none. */
export async function readObjectGeneration(
  api: GoogleApi,
  bucket: string,
  name: string
): Promise<string | undefined> {
  try {
    const found = await api.request<ObjectResource>({
      service: 'storage',
      path: objectPath(bucket, name)
    });
    const generation = String(found.generation ?? '');
    if (!/^[0-9]+$/.test(generation)) {
      throw new Error(`${describeObjectRead(bucket, name)} answered no generation for the object.`);
    }
    return generation;
  } catch (error) {
    if (isStatus(error, 404)) return undefined;
    throw error;
  }
}

/** The object's content (of `generation` when given), or undefined when there is none. */
export async function readObjectContent(
  api: GoogleApi,
  bucket: string,
  name: string,
  generation?: string
): Promise<string | undefined> {
  try {
    return await api.request<string>({
      service: 'storage',
      path: objectPath(bucket, name),
      query: { alt: 'media', ...(generation ? { generation } : {}) },
      answer: 'text'
    });
  } catch (error) {
    if (isStatus(error, 404)) return undefined;
    throw error;
  }
}

/** Writes (or replaces) the object with `content`; the new generation. */
export async function insertObject(
  api: GoogleApi,
  bucket: string,
  name: string,
  content: string,
  contentType: string
): Promise<string | undefined> {
  const written = await api.request<ObjectResource>({
    service: 'storage',
    method: 'POST',
    path: uploadPath(bucket),
    query: { uploadType: 'media', name },
    rawBody: { contentType, data: content }
  });
  return written.generation === undefined ? undefined : String(written.generation);
}

/**
 * Deletes the object only while its live generation is `generation`: 'changed' when it is another
 * (Google's 412), 'missing' when there is no object any more.
 */
export async function deleteObjectGeneration(
  api: GoogleApi,
  bucket: string,
  name: string,
  generation: string
): Promise<'deleted' | 'changed' | 'missing'> {
  try {
    await api.request({
      service: 'storage',
      method: 'DELETE',
      path: objectPath(bucket, name),
      query: { ifGenerationMatch: generation }
    });
    return 'deleted';
  } catch (error) {
    if (isStatus(error, 412)) return 'changed';
    if (isStatus(error, 404)) return 'missing';
    throw error;
  }
}
