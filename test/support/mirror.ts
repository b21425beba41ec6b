/**
 * A loopback (127.0.0.1) download mirror for install tests and the benchmark. It serves real
 * archives built here (stand-in `terraform`, `helm` and `gcloud` scripts that print versions, and
 * a stand-in `kubectl` served as the single file the publisher serves),
 * with right or wrong checksums, answers 503 a set number of times before succeeding, 404 for
 * anything unknown, and records every request with its start and end time and order.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pinKey, type Recipe } from '../../src/tools/download.js';
import { fromSource, type Platform } from '../../src/tools/sources.js';
import { recordToolPin } from './test-pins.js';
import { signDetached, TEST_RELEASE_KEY, type TestKey } from './test-release-key.js';

export interface MirrorRequest {
  readonly path: string;
  readonly status: number;
  readonly start: number;
  readonly end: number;
  /** Order numbers shared by arrivals and finishes: what came before what, on any machine. */
  readonly arrived: number;
  readonly finished: number;
  /** Body bytes served (0 for an error answer). */
  readonly bytes: number;
}

export interface RouteOptions {
  /** Answer this many requests with `failStatus` (default 503) before serving the body. */
  readonly failures?: number;
  readonly failStatus?: number;
  /** Wait this long before answering, so overlapping requests can be told apart. */
  readonly holdMs?: number;
  /** Pace the body to this many bytes per second (the benchmark's stand-in for a network). */
  readonly bytesPerSecond?: number;
  /**
   * Hold the answer until this many requests to routes with this option are open at once, so
   * only a client that makes them concurrently gets answers at once; after BARRIER_LIMIT_MS the
   * held ones are answered anyway, so a client that asks one after another still finishes.
   */
  readonly holdUntilOpen?: number;
}

const BARRIER_LIMIT_MS = 15_000;

interface Route extends RouteOptions {
  /** A promise for bodies made asynchronously (a signature); awaited before answering. */
  readonly body: Buffer | Promise<Buffer>;
  served: number;
}

export class Mirror {
  readonly requests: MirrorRequest[] = [];
  private readonly routes = new Map<string, Route>();
  private order = 0;
  private held: (() => void)[] = [];
  private heldTimer: NodeJS.Timeout | undefined;
  private constructor(
    private readonly server: Server,
    readonly url: string
  ) {}

  static async start(): Promise<Mirror> {
    const holder: { mirror?: Mirror } = {};
    const server = createServer((req, res) => holder.mirror?.handle(req.url ?? '/', res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.mirror = new Mirror(server, `http://127.0.0.1:${port}`);
    return holder.mirror;
  }

  serve(
    urlPath: string,
    body: Buffer | string | Promise<Buffer>,
    options: RouteOptions = {}
  ): void {
    this.routes.set(urlPath, {
      ...options,
      body: typeof body === 'string' ? Buffer.from(body) : body,
      served: 0
    });
  }

  /** Requests whose path contains `part`. */
  requestsFor(part: string): MirrorRequest[] {
    return this.requests.filter((r) => r.path.includes(part));
  }

  async close(): Promise<void> {
    this.releaseHeld();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(urlPath: string, res: import('node:http').ServerResponse): void {
    const start = Date.now();
    const arrived = ++this.order;
    const route = this.routes.get(urlPath);
    const status =
      route === undefined
        ? 404
        : route.served++ < (route.failures ?? 0)
          ? (route.failStatus ?? 503)
          : 200;
    let bytes = 0;
    res.on('finish', () =>
      this.requests.push({
        path: urlPath,
        status,
        start,
        end: Date.now(),
        arrived,
        finished: ++this.order,
        bytes
      })
    );
    const respond = async () => {
      if (status !== 200 || !route) {
        res.writeHead(status, { 'content-type': 'text/plain' }).end(`status ${status}\n`);
        return;
      }
      const body = await route.body;
      bytes = body.length;
      res.writeHead(200, { 'content-length': String(body.length) });
      if (!route.bytesPerSecond) {
        res.end(body);
        return;
      }
      paced(res, body, route.bytesPerSecond);
    };
    const answer = () => void respond();
    if (route?.holdUntilOpen) this.holdUntilOpen(answer, route.holdUntilOpen);
    else setTimeout(answer, route?.holdMs ?? 0);
  }

  private holdUntilOpen(answer: () => void, count: number): void {
    this.held.push(answer);
    this.heldTimer ??= setTimeout(() => this.releaseHeld(), BARRIER_LIMIT_MS);
    if (this.held.length >= count) this.releaseHeld();
  }

  private releaseHeld(): void {
    clearTimeout(this.heldTimer);
    this.heldTimer = undefined;
    const held = this.held;
    this.held = [];
    for (const answer of held) answer();
  }
}

/** Writes `body` no faster than `bytesPerSecond` (a modelled link), in 256 KiB pieces. */
export function paced(
  res: import('node:http').ServerResponse,
  body: Buffer,
  bytesPerSecond: number
) {
  const chunk = 256 * 1024;
  const started = Date.now();
  let offset = 0;
  const next = () => {
    if (offset >= body.length) {
      res.end();
      return;
    }
    const piece = body.subarray(offset, offset + chunk);
    offset += piece.length;
    res.write(piece);
    const due = started + (offset / bytesPerSecond) * 1000;
    setTimeout(next, Math.max(0, due - Date.now()));
  };
  next();
}

export type StandInTool = 'terraform' | 'helm' | 'gcloud' | 'kubectl';

export interface BuiltArchive {
  readonly tool: StandInTool;
  readonly version: string;
  readonly body: Buffer;
  readonly sha256: string;
}

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

const SCRIPTS: Record<StandInTool, (version: string) => string> = {
  terraform: (v) =>
    `#!/bin/sh\nif [ "$1" = version ]; then echo '{"terraform_version":"${v}","platform":"linux_amd64"}'; exit 0; fi\necho "terraform stand-in $*"\n`,
  helm: (v) =>
    `#!/bin/sh\nif [ "$1" = version ]; then echo "v${v}+gstandin"; exit 0; fi\necho "helm stand-in $*"\n`,
  // `exit` before the padding buildArchive appends, so it is never run.
  kubectl: (v) =>
    `#!/bin/sh\ncat >/dev/null\nif [ "$1" = version ]; then echo '{"clientVersion":{"gitVersion":"v${v}"}}'; exit 0; fi\necho "kubectl stand-in $*"\nexit 0\n`,
  // `components install A B --quiet` writes stand-ins for A and B next to gcloud, as the real
  // component manager puts kubectl and gke-gcloud-auth-plugin in google-cloud-sdk/bin.
  gcloud: (v) =>
    [
      '#!/bin/sh',
      'cat >/dev/null # src/engine/exec.ts always feeds stdin; read it so it cannot EPIPE',
      'here=$(cd "$(dirname "$0")" && pwd)',
      'case "$1" in',
      `  version) echo '{"Google Cloud SDK":"${v}","core":"2025.06.20"}' ;;`,
      '  components)',
      '    shift 2',
      '    for c in "$@"; do',
      '      case "$c" in --*) ;; *) printf \'#!/bin/sh\\necho "%s stand-in"\\n\' "$c" > "$here/$c"; chmod +x "$here/$c" ;; esac',
      '    done',
      '    echo "$*" >> "$here/../components-installed.log" ;;',
      '  *) echo "gcloud stand-in $*" ;;',
      'esac',
      ''
    ].join('\n')
};

/**
 * Builds a real archive in the publisher's shape: terraform as a zip with `terraform` at the
 * root, helm as `OS-ARCH/helm` in a tar.gz, gcloud as `google-cloud-sdk/bin/gcloud` in a tar.gz,
 * kubectl as the executable itself (its `executables.kubectl` when given).
 * `paddingBytes` of random (incompressible) data make it as large as the real thing.
 * `executables` replace the tool's script (by its name) or join it in the same folder, as
 * `kubectl` and `gke-gcloud-auth-plugin` sit next to `gcloud` once its components are installed.
 */
export function buildArchive(
  tool: StandInTool,
  version: string,
  platform: Platform,
  paddingBytes = 0,
  executables: Readonly<Record<string, string>> = {}
): BuiltArchive {
  // The same stand-in twice is the same bytes (zip and tar record times), so the digest one
  // mirror pinned holds for every mirror serving it in this process.
  const key = JSON.stringify([tool, version, platform, executables]);
  const known = paddingBytes === 0 ? built.get(key) : undefined;
  if (known) return known;
  const archive = freshArchive(tool, version, platform, paddingBytes, executables);
  if (paddingBytes === 0) built.set(key, archive);
  return archive;
}

const built = new Map<string, BuiltArchive>();

function freshArchive(
  tool: StandInTool,
  version: string,
  platform: Platform,
  paddingBytes: number,
  executables: Readonly<Record<string, string>>
): BuiltArchive {
  if (tool === 'kubectl') {
    // Padding as a comment line: the shell stand-in exits before it, a node wrapper skips it.
    // Random, so that a compressing cache saves it no smaller than a real binary (less, if any).
    const padding =
      paddingBytes > 0
        ? `//${randomBytes(Math.ceil((paddingBytes * 3) / 4))
            .toString('base64')
            .slice(0, paddingBytes)}\n`
        : '';
    const body = Buffer.from((executables.kubectl ?? SCRIPTS.kubectl(version)) + padding);
    return { tool, version, body, sha256: sha256(body) };
  }
  const work = mkdtempSync(path.join(tmpdir(), `mirror-${tool}-`));
  try {
    const goArch = platform.arch === 'x64' ? 'amd64' : 'arm64';
    const binDir =
      tool === 'terraform'
        ? work
        : tool === 'helm'
          ? path.join(work, `${platform.os}-${goArch}`)
          : path.join(work, 'google-cloud-sdk', 'bin');
    mkdirSync(binDir, { recursive: true });
    for (const [name, text] of Object.entries({ [tool]: SCRIPTS[tool](version), ...executables })) {
      const script = path.join(binDir, name);
      writeFileSync(script, text);
      chmodSync(script, 0o755);
    }
    if (paddingBytes > 0)
      writeFileSync(path.join(binDir, 'padding.bin'), randomBytes(paddingBytes));
    const out = path.join(work, tool === 'terraform' ? 'out.zip' : 'out.tar.gz');
    const entries =
      tool === 'terraform'
        ? ['terraform', ...(paddingBytes ? ['padding.bin'] : [])]
        : [tool === 'helm' ? `${platform.os}-${goArch}` : 'google-cloud-sdk'];
    if (tool === 'terraform') execFileSync('zip', ['-q', '-1', out, ...entries], { cwd: work });
    else execFileSync('tar', ['-czf', out, ...entries], { cwd: work });
    const body = readFileSync(out);
    return { tool, version, body, sha256: sha256(body) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export interface PublishOptions extends RouteOptions {
  /** Publish a checksum that does not match the archive. */
  readonly wrongChecksum?: boolean;
  /** Serve the checksum file (default true; gcloud's comes from a sidecar `.sha256`). */
  readonly withChecksum?: boolean;
  /** Record the archive's digest as pinned (default true), as a release in the action's table. */
  readonly pin?: boolean;
  /**
   * terraform: the key that signs terraform_V_SHA256SUMS as `.sig` (default the test release
   * key the test pins trust), or false to publish no `.sig`.
   */
  readonly signWith?: TestKey | false;
  /**
   * terraform: the signature covers a SHA256SUMS with another digest for the archive (the
   * genuine release's), but the one served was rewritten to match the archive served.
   */
  readonly sumsRewritten?: boolean;
}

/** The URL path a publisher URL has on the mirror (host, then path; see src/tools/sources.ts). */
export function mirrorPath(mirror: Mirror, publisherUrl: string): string {
  return new URL(fromSource(publisherUrl, mirror.url).url).pathname;
}

/** Serves `archive` and its checksum where `recipe` will look for them through the mirror. */
export function publish(
  mirror: Mirror,
  recipe: Recipe,
  archive: BuiltArchive,
  platform: Platform,
  options: PublishOptions = {}
): void {
  const archiveUrl = recipe.archiveUrl(archive.version, platform);
  const name = archiveUrl.slice(archiveUrl.lastIndexOf('/') + 1);
  const hash = options.wrongChecksum ? sha256(Buffer.from('not the archive')) : archive.sha256;
  if (options.pin !== false)
    recordToolPin(pinKey(recipe, archive.version, platform), archive.sha256);
  mirror.serve(mirrorPath(mirror, archiveUrl), archive.body, options);
  if (options.withChecksum === false) return;
  // dl.k8s.io's kubectl.sha256 holds the digest alone.
  if (recipe.tool === 'kubectl') {
    mirror.serve(mirrorPath(mirror, `${archiveUrl}.sha256`), `${hash}\n`);
    return;
  }
  const listingFor = (digest: string) =>
    `${sha256(Buffer.from('another file'))}  other_file.zip\n${digest}  ${name}\n`;
  const listing = listingFor(hash);
  const checksumUrl =
    recipe.tool === 'terraform'
      ? archiveUrl.replace(name, `terraform_${archive.version}_SHA256SUMS`)
      : recipe.tool === 'helm'
        ? `${archiveUrl}.sha256sum`
        : `${archiveUrl}.sha256`;
  mirror.serve(mirrorPath(mirror, checksumUrl), listing);
  if (recipe.tool !== 'terraform' || options.signWith === false) return;
  const signed = options.sumsRewritten
    ? listingFor(sha256(Buffer.from('the genuine release')))
    : listing;
  mirror.serve(
    mirrorPath(mirror, `${checksumUrl}.sig`),
    signDetached(Buffer.from(signed), options.signWith ?? TEST_RELEASE_KEY)
  );
}
