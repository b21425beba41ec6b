/**
 * The download destination: a file, hashed as it is written. Archives are never unpacked while
 * they arrive (tar would act on bytes whose hash has not been compared yet); see download.ts.
 */
import { createWriteStream, rmSync } from 'node:fs';
import type { Sink } from './http.js';

export function fileSink(dest: string): Sink {
  return {
    stream: createWriteStream(dest),
    finished: async () => undefined,
    discard: () => rmSync(dest, { force: true })
  };
}
