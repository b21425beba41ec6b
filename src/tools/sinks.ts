/**
 * Download destinations. A tar.gz is piped straight into `tar` while it downloads, so extraction
 * overlaps the network instead of following it; the hash is checked before the extracted folder
 * is used, and a mismatch throws the folder away. A zip (which needs seeking) goes to a file.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import type { Sink } from './http.js';

export function fileSink(dest: string): Sink {
  return {
    stream: createWriteStream(dest),
    finished: async () => undefined,
    discard: () => rmSync(dest, { force: true })
  };
}

/** Extracts a gzipped tar from the stream into `dir` (emptied first). */
export function tarSink(dir: string): Sink {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tar = spawn('tar', ['-xzf', '-', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  tar.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let alive = true;
  let waiting: (() => void) | undefined;
  // If tar stops early (bad data), keep draining the download so its hash can still be
  // checked; the hash, not tar's complaint, decides what the user is told first.
  const stop = () => {
    alive = false;
    waiting?.();
    waiting = undefined;
  };
  tar.stdin.on('error', stop);
  tar.stdin.on('close', stop);
  const exited = new Promise<Error | undefined>((resolve) => {
    tar.on('error', (error) => {
      stop();
      resolve(error);
    });
    tar.on('close', (code) =>
      resolve(code === 0 ? undefined : new Error(`tar exited with ${code}: ${stderr.trim()}`))
    );
  });
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!alive || tar.stdin.write(chunk)) {
        done();
        return;
      }
      waiting = () => done();
      tar.stdin.once('drain', () => {
        waiting = undefined;
        done();
      });
    },
    final(done) {
      if (alive) tar.stdin.end();
      done();
    }
  });
  return {
    stream,
    finished: () => exited,
    discard: () => {
      tar.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
