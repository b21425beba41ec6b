// Objects in the modelled buckets, as the stand-in gcloud and the loopback Cloud Storage JSON API
// both see them: those written to world.gcloud.objects (keyed gs://BUCKET/NAME), and Terraform's
// lock, which the stand-in terraform keeps (world.terraform.lock) at PREFIX/default.tflock of its
// backend, with the lock ID as the object's generation (as the GCS backend does).

/** Go's time.Time String ("2026-11-24 03:00:00.000000 +0000 UTC") as JSON writes it (RFC 3339). */
const goTimeToJson = (text) => {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?) \+0000 UTC$/.exec(text ?? '');
  return m ? `${m[1]}T${m[2]}Z` : text;
};

/** The gs:// URL of the stand-in terraform's lock object, once it has a backend. */
const lockUrlOf = (tf) =>
  tf.backend ? `gs://${tf.backend.bucket}/${tf.backend.prefix}/default.tflock` : undefined;

/** The object at gs://BUCKET/NAME: {generation, content, contentType}, or undefined. */
export function objectAt(world, url) {
  const tf = world.terraform ?? {};
  const lock = tf.lock;
  if (lock && url === lockUrlOf(tf)) {
    return {
      generation: String(lock.id),
      contentType: 'application/json',
      content: JSON.stringify({
        ID: 'b8a1c3e2-7d4f-4e5a-9c6b-0f1e2d3c4b5a',
        Operation: lock.operation ?? 'OperationTypeApply',
        Info: '',
        Who: lock.who,
        Version: tf.version ?? '1.13.4',
        Created: goTimeToJson(lock.created ?? '2026-11-24 03:00:00.000000 +0000 UTC'),
        Path: url
      })
    };
  }
  return world.gcloud?.objects?.[url];
}

/** Writes (or replaces) an object; its new generation. */
export function putObject(world, url, content, contentType) {
  const store = ((world.gcloud ??= {}).objects ??= {});
  const generation = String(Number(store[url]?.generation ?? 1_700_000_000_000_000) + 1);
  store[url] = { content, generation, ...(contentType ? { contentType } : {}) };
  return generation;
}

/** Deletes an object; deleting the lock is what releases it for the stand-in terraform. */
export function removeObject(world, url) {
  const tf = world.terraform ?? {};
  if (tf.lock && url === lockUrlOf(tf)) {
    delete tf.lock;
    tf.unlocks = (tf.unlocks ?? 0) + 1;
  } else if (world.gcloud?.objects) delete world.gcloud.objects[url];
}
