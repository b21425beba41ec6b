/**
 * Runs the bundled action (dist/main, then dist/post) in a child process under Node 24, the way a
 * GitHub runner does: INPUT_* with action.yml defaults, the GITHUB_* command files, RUNNER_TEMP,
 * RUNNER_TOOL_CACHE, an event payload, and a curated PATH whose gcloud, terraform, kubectl and helm
 * are stand-ins that record every call and answer as the real tools do (see standins/).
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { eventPayload, HEAD_SHA, type EventName } from './events.js';
import { PROJECT_ROOT } from './project.js';
import { realToolPath } from './real-tools.js';
import { buildArchive, Mirror, publish } from './mirror.js';
import { DEFAULT_VERSIONS } from '../../src/inputs.js';
import { kubectlRecipe } from '../../src/tools/kubectl/install.js';
import { currentPlatform } from '../../src/tools/sources.js';
import { writeTestPins } from './test-pins.js';
import { publishUpstream } from './upstream.js';
import { copyModuleForStandins } from './provider-registry.js';
import { EVENT_LOG_PREFIX, type RecordedEvent } from '../../src/engine/events.js';
import { serveStandinWorld } from './harness-google.js';
import { readWorld, updateWorld, writeJsonFile } from './standins/world-store.mjs';
import { anyWellFormedProvider, GoogleServer } from './google-server.js';
import { healthyProject, serveProject, type ProjectModel } from './google-project.js';

export const NODE24 = path.join(PROJECT_ROOT, 'node_modules', 'node', 'bin', 'node');
const STANDIN = path.join(PROJECT_ROOT, 'test', 'support', 'standins', 'standin.mjs');
export const STANDIN_TOOLS = ['gcloud', 'terraform', 'kubectl', 'helm'] as const;
export type StandinTool = (typeof STANDIN_TOOLS)[number];
/** Programs the action (and tool-cache) may use besides the stand-ins. */
const SYSTEM_PROGRAMS = [
  'sh',
  'env',
  'tar',
  'gzip',
  'unzip',
  'zip',
  'cat',
  'ls',
  'mkdir',
  'rm',
  'chmod',
  'cp',
  'mv',
  'sleep',
  'uname',
  'dirname',
  'basename',
  'readlink',
  'xz',
  'find',
  'sed',
  'grep',
  'head',
  'tail',
  'true',
  'false'
];

/**
 * An executable named after the tool that runs the stand-in. Node runs it straight from the
 * shebang (no shell in between), so a call costs what starting a real binary costs plus node's
 * start-up, and the benchmark's tool time is not inflated by a wrapper.
 */
export function standinWrapper(tool: StandinTool): string {
  return `#!${NODE24}\nprocess.argv.splice(2, 0, ${JSON.stringify(tool)});\nimport(${JSON.stringify(STANDIN)});\n`;
}

/** The stand-in kubectl as the binary of the default kubectl-version, where the action downloads it. */
function publishStandinKubectl(mirror: Mirror): void {
  const platform = currentPlatform();
  const binary = buildArchive('kubectl', DEFAULT_VERSIONS.kubectl, platform, 0, {
    kubectl: standinWrapper('kubectl')
  });
  publish(mirror, kubectlRecipe, binary, platform);
}

export const GITHUB_TOKEN = 'ghs_harnessTokenCanary0123456789abcdef';
export const OIDC_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.harness-oidc-canary.c2lnbmF0dXJl';

export interface ToolCall {
  readonly id: string;
  readonly tool: StandinTool;
  readonly args: string[];
  readonly env: Record<string, string>;
  readonly stdin: string;
  readonly cwd: string;
  readonly startedAt: number;
  /** When the stand-in exited (undefined while running or when it was killed). */
  readonly endedAt?: number;
}

/** A rule the stand-ins answer with before consulting their model (see standins/standin.mjs). */
export interface StandinRule {
  match?: (string | { re: string })[];
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  delayMs?: number;
  /** Run until a signal ends the call (bounded); the stand-in reports when it holds (holding()). */
  untilSignalled?: boolean;
  times?: number;
  /** Keep the model's answer, only adding the delay. */
  passThrough?: boolean;
}

export interface StepResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly exportedEnv: Record<string, string>;
  readonly savedState: Record<string, string>;
  readonly addedPaths: string[];
  readonly summary: string;
  /** Messages of `::error::`, `::warning::` and `::notice::` workflow commands. */
  readonly errors: string[];
  readonly warnings: string[];
  readonly notices: string[];
  /** Stand-in calls made during this step. */
  readonly calls: ToolCall[];
  /** The engine's record of this step's run, in its order (src/engine/events.ts). */
  readonly events: RecordedEvent[];
}

export interface HarnessOptions {
  readonly event?: EventName;
  readonly eventOptions?: { prNumber?: number; fork?: boolean };
  /** Base URL of a loopback GitHub API; by default a trap server that records any request. */
  readonly githubApiUrl?: string;
  /** Serve an OIDC token endpoint and set ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN. */
  readonly oidc?: boolean;
  /** Put the real helm on PATH instead of the stand-in. */
  readonly realHelm?: boolean;
}

export interface RunOptions {
  readonly env?: Record<string, string>;
  /**
   * Signal the step's whole process tree once a matching stand-in call reports that it is
   * holding (a rule with `delayMs` or `untilSignalled`: its lock taken, its SIGTERM handler set),
   * as the runner does when a job is cancelled (SIGTERM) or its machine dies (SIGKILL).
   */
  readonly killOn?: {
    readonly tool: StandinTool;
    readonly arg: string;
    readonly signal: 'SIGTERM' | 'SIGKILL';
  };
}

function parseCommandFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(file)) return out;
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const body: string[] = [];
      for (i += 1; i < lines.length && lines[i] !== delimiter; i += 1) body.push(lines[i] ?? '');
      out[name] = body.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

/**
 * The complete lines of a JSON-lines file. A stand-in may be appending while a test reads (the
 * kill poller does), so an unfinished last line is left for the next read.
 */
function jsonLines<T>(file: string): T[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.pop(); // '' after the final newline, or a line still being written
  return lines.filter(Boolean).map((line) => JSON.parse(line) as T);
}

function commandMessages(stdout: string, command: string): string[] {
  const messages: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = new RegExp(`^::${command}(?: [^:]*)?::(.*)$`).exec(line);
    if (m)
      messages.push((m[1] ?? '').replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'));
  }
  return messages;
}

export class Harness {
  readonly root: string;
  readonly bin: string;
  readonly standinDir: string;
  readonly runnerTemp: string;
  readonly toolCache: string;
  readonly workspace: string;
  readonly home: string;
  /** Requests that reached the default trap GitHub server or the OIDC endpoint. */
  readonly trapRequests: string[] = [];
  private readonly servers: Server[] = [];
  private jobEnv: Record<string, string> = {};
  private jobPaths: string[] = [];
  private lastState: Record<string, string> = {};
  private githubApiUrl = '';
  private oidcUrl = '';
  private stepCount = 0;
  /** The default tool-mirror: the chart repository and the provider registry, on loopback. */
  upstream!: Mirror;
  /**
   * The loopback Google the action's own REST calls reach (FLYTE_GKE_GOOGLE_API_ENDPOINT): STS
   * exchanges the harness's OIDC token, `project` answers the preflight's reads, and GKE's
   * clusters.get and the state bucket follow the stand-ins' world (harness-google.ts). Healthy by
   * default; a suite changes `project` to stage a missing role, an API that is off, a policy.
   */
  google!: GoogleServer;
  project: ProjectModel = healthyProject();
  /** The bundled module's copy, the default terraform-dir (relative to the workspace). */
  get moduleDir(): string {
    return path.join(this.workspace, 'flyte-terraform');
  }

  private constructor(private readonly options: HarnessOptions) {
    this.root = mkdtempSync(path.join(tmpdir(), 'flyte-gke-harness-'));
    this.bin = path.join(this.root, 'bin');
    this.standinDir = path.join(this.root, 'cloud');
    this.runnerTemp = path.join(this.root, 'runner-temp');
    this.toolCache = path.join(this.root, 'tool-cache');
    this.workspace = path.join(this.root, 'workspace');
    this.home = path.join(this.root, 'home');
    for (const dir of [
      this.bin,
      this.standinDir,
      this.runnerTemp,
      this.toolCache,
      this.workspace,
      this.home
    ]) {
      mkdirSync(dir, { recursive: true });
    }
    const sysbin = path.join(this.root, 'sysbin');
    mkdirSync(sysbin);
    for (const program of SYSTEM_PROGRAMS) {
      const found = ['/usr/bin', '/bin']
        .map((d) => path.join(d, program))
        .find((p) => existsSync(p));
      if (found) symlinkSync(found, path.join(sysbin, program));
    }
    symlinkSync(NODE24, path.join(sysbin, 'node'));
    for (const tool of STANDIN_TOOLS) {
      // The action installs kubectl itself (kubectl-version), here from the upstream mirror.
      if (tool === 'kubectl') continue;
      if (tool === 'helm' && options.realHelm) {
        symlinkSync(realToolPath('helm'), path.join(this.bin, 'helm'));
        continue;
      }
      writeFileSync(path.join(this.bin, tool), standinWrapper(tool), { mode: 0o755 });
    }
    this.jobPaths = [this.bin, sysbin];
  }

  static async create(options: HarnessOptions = {}): Promise<Harness> {
    const harness = new Harness(options);
    // The runner has no internet: downloads (the chart, the providers) come from a loopback
    // mirror, used as tool-mirror unless the test names its own.
    harness.upstream = await Mirror.start();
    harness.google = await new GoogleServer({
      acceptProvider: anyWellFormedProvider,
      subjectToken: OIDC_TOKEN,
      directAccess: true
    }).start();
    serveProject(harness.google, () => harness.project);
    serveStandinWorld(harness.google, harness.standinDir);
    publishUpstream(harness.upstream);
    publishStandinKubectl(harness.upstream);
    // The module terraform runs in: a copy, so the lock file terraform init updates is the
    // harness's own (see provider-registry.ts), never the repository's.
    copyModuleForStandins(harness.moduleDir);
    harness.githubApiUrl = options.githubApiUrl ?? (await harness.listen(harness.trap('github')));
    if (options.oidc) {
      const url = await harness.listen((req, res) => {
        harness.trapRequests.push(`oidc ${req.url}`);
        const ok = req.headers.authorization === 'Bearer harness-oidc-request-token';
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
        res.end(JSON.stringify(ok ? { value: OIDC_TOKEN } : { message: 'Bad credentials' }));
      });
      harness.oidcUrl = `${url}/token?api-version=2.0`;
    }
    return harness;
  }

  private trap(name: string) {
    return (req: IncomingMessage, res: import('node:http').ServerResponse) => {
      this.trapRequests.push(`${name} ${req.method} ${req.url}`);
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Not Found (harness trap)' }));
    };
  }

  private async listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
    const server = createServer(handler);
    this.servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Rules the stand-ins answer with first, per tool. */
  setRules(rules: Partial<Record<StandinTool, StandinRule[]>>): void {
    writeJsonFile(path.join(this.standinDir, 'rules.json'), rules);
  }

  /** The stand-ins' model of the cloud and cluster (terraform state, helm releases, buckets…). */
  world(): Record<string, any> {
    return readWorld<Record<string, any>>(this.standinDir);
  }

  /** Changes the world as one locked write, so a stand-in running meanwhile loses nothing. */
  setWorld(update: (world: Record<string, any>) => void): void {
    updateWorld(this.standinDir, update);
  }

  /** Every stand-in call so far, in order. */
  allCalls(tool?: StandinTool): ToolCall[] {
    const file = path.join(this.standinDir, 'calls.jsonl');
    if (!existsSync(file)) return [];
    const ends = new Map<string, number>();
    const endsFile = path.join(this.standinDir, 'ends.jsonl');
    if (existsSync(endsFile)) {
      for (const end of jsonLines<{ id: string; endedAt: number }>(endsFile)) {
        ends.set(end.id, end.endedAt);
      }
    }
    const calls = jsonLines<ToolCall>(file).map((c) => ({ ...c, endedAt: ends.get(c.id) }));
    return tool ? calls.filter((c) => c.tool === tool) : calls;
  }

  /** Stand-in calls that reported they hold (see StandinRule.untilSignalled), in order. */
  holding(): Pick<ToolCall, 'id' | 'tool' | 'args'>[] {
    const file = path.join(this.standinDir, 'holding.jsonl');
    return existsSync(file) ? jsonLines(file) : [];
  }

  /** Writes a file into the workspace (for values files, tfvars…) and returns its relative path. */
  writeWorkspaceFile(relative: string, content: string): string {
    const file = path.join(this.workspace, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    return relative;
  }

  /** Runs the main entry point with these inputs (action.yml defaults fill the rest). */
  async run(inputs: Record<string, string>, options: RunOptions = {}): Promise<StepResult> {
    const result = await this.step(
      path.join(PROJECT_ROOT, 'dist', 'main', 'index.js'),
      inputs,
      options,
      {}
    );
    this.lastState = result.savedState;
    return result;
  }

  /** Runs the post entry point with the state the last main step saved. */
  async runPost(
    inputs: Record<string, string> = {},
    options: RunOptions = {}
  ): Promise<StepResult> {
    const stateEnv = Object.fromEntries(
      Object.entries(this.lastState).map(([k, v]) => [`STATE_${k}`, v])
    );
    return this.step(
      path.join(PROJECT_ROOT, 'dist', 'post', 'index.js'),
      inputs,
      options,
      stateEnv
    );
  }

  private async step(
    entry: string,
    inputs: Record<string, string>,
    options: RunOptions,
    extraEnv: Record<string, string>
  ): Promise<StepResult> {
    this.stepCount += 1;
    const files = path.join(this.root, `step-${this.stepCount}`);
    mkdirSync(files);
    const commandFiles = {
      GITHUB_OUTPUT: path.join(files, 'output'),
      GITHUB_ENV: path.join(files, 'env'),
      GITHUB_PATH: path.join(files, 'path'),
      GITHUB_STATE: path.join(files, 'state'),
      GITHUB_STEP_SUMMARY: path.join(files, 'summary.md')
    };
    for (const file of Object.values(commandFiles)) writeFileSync(file, '');
    const pinsFile = path.join(files, 'test-pins.json');
    writeTestPins(pinsFile);
    const eventName = this.options.event ?? 'workflow_dispatch';
    const eventPath = path.join(files, 'event.json');
    writeFileSync(eventPath, JSON.stringify(eventPayload(eventName, this.options.eventOptions)));

    const env: Record<string, string> = {
      HOME: this.home,
      PATH: this.jobPaths.join(path.delimiter),
      CI: 'true',
      // No GITHUB_ACTIONS=true: the action reads the test pins only without it (pin-table.ts).
      FLYTE_GKE_TEST_PINS: pinsFile,
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      RUNNER_TEMP: this.runnerTemp,
      RUNNER_TOOL_CACHE: this.toolCache,
      GITHUB_WORKSPACE: this.workspace,
      GITHUB_REPOSITORY: 'acme/flyte-platform',
      GITHUB_REPOSITORY_OWNER: 'acme',
      GITHUB_EVENT_NAME: eventName,
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_SHA: HEAD_SHA,
      GITHUB_REF: eventName === 'pull_request' ? 'refs/pull/42/merge' : 'refs/heads/main',
      GITHUB_RUN_ID: '9876543210',
      GITHUB_RUN_NUMBER: '17',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: 'flyte',
      GITHUB_ACTOR: 'alice',
      GITHUB_WORKFLOW: 'Flyte',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: this.githubApiUrl,
      GITHUB_GRAPHQL_URL: `${this.githubApiUrl}/graphql`,
      FLYTE_STANDIN_DIR: this.standinDir,
      FLYTE_STANDIN_REGISTRY: this.upstream.url,
      // The action's own provider zip downloads (terraform/provider-fill.ts), same loopback registry.
      FLYTE_GKE_TERRAFORM_REGISTRY: this.upstream.url,
      FLYTE_GKE_GOOGLE_API_ENDPOINT: this.google.endpoint,
      ...commandFiles,
      ...this.jobEnv,
      ...(this.oidcUrl
        ? {
            ACTIONS_ID_TOKEN_REQUEST_URL: this.oidcUrl,
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'harness-oidc-request-token'
          }
        : {}),
      ...inputEnv({
        'tool-mirror': this.upstream.url,
        'terraform-dir': 'flyte-terraform',
        ...inputs
      }),
      ...extraEnv,
      ...(options.env ?? {})
    };
    const before = this.allCalls().length;
    const holdingBefore = this.holding().length;
    const child = spawn(NODE24, [entry], {
      cwd: this.workspace,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killOn = options.killOn;
    const timer = killOn
      ? setInterval(() => {
          const hit = this.holding()
            .slice(holdingBefore)
            .find((c) => c.tool === killOn.tool && c.args.includes(killOn.arg));
          if (hit) {
            clearInterval(timer);
            try {
              process.kill(-(child.pid as number), killOn.signal);
            } catch {
              // already gone
            }
          }
        }, 20)
      : undefined;
    const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
      (resolve) => child.on('close', (code, sig) => resolve([code, sig]))
    );
    if (timer) clearInterval(timer);

    const exportedEnv = parseCommandFile(commandFiles.GITHUB_ENV);
    const addedPaths = readFileSync(commandFiles.GITHUB_PATH, 'utf8').split('\n').filter(Boolean);
    // The runner applies GITHUB_ENV and GITHUB_PATH to the job's later steps.
    Object.assign(this.jobEnv, exportedEnv);
    this.jobPaths = [...addedPaths.reverse(), ...this.jobPaths];
    return {
      exitCode,
      signal,
      stdout,
      stderr,
      outputs: parseCommandFile(commandFiles.GITHUB_OUTPUT),
      exportedEnv,
      savedState: parseCommandFile(commandFiles.GITHUB_STATE),
      addedPaths,
      summary: readFileSync(commandFiles.GITHUB_STEP_SUMMARY, 'utf8'),
      errors: commandMessages(stdout, 'error'),
      warnings: commandMessages(stdout, 'warning'),
      notices: commandMessages(stdout, 'notice'),
      calls: this.allCalls().slice(before),
      events: commandMessages(stdout, 'debug')
        .filter((m) => m.startsWith(EVENT_LOG_PREFIX))
        .map((m) => JSON.parse(m.slice(EVENT_LOG_PREFIX.length)) as RecordedEvent)
    };
  }

  /** Files the job left behind in RUNNER_TEMP, the workspace and HOME (after the post step). */
  leftoverFiles(): string[] {
    const out: string[] = [];
    for (const dir of [this.runnerTemp, this.workspace, this.home]) {
      for (const entry of readdirSync(dir, { recursive: true }).map(String)) {
        const full = path.join(dir, entry);
        if (statSync(full).isFile()) out.push(full);
      }
    }
    return out;
  }

  /**
   * Where any of the secrets shows up: a step's stdout (less the `::add-mask::` lines the runner
   * consumes), stderr, outputs, exported variables, summary, a stand-in's argv, or a file left behind.
   */
  findLeaks(
    secrets: readonly string[],
    steps: readonly StepResult[],
    extra: Record<string, string> = {}
  ): string[] {
    const places: [string, string][] = [];
    steps.forEach((s, i) => {
      places.push([
        `step ${i + 1} stdout`,
        s.stdout
          .split('\n')
          .filter((l) => !l.startsWith('::add-mask::'))
          .join('\n')
      ]);
      places.push([`step ${i + 1} stderr`, s.stderr]);
      places.push([`step ${i + 1} outputs`, JSON.stringify(s.outputs)]);
      places.push([`step ${i + 1} exported env`, JSON.stringify(s.exportedEnv)]);
      places.push([`step ${i + 1} saved state`, JSON.stringify(s.savedState)]);
      places.push([`step ${i + 1} summary`, s.summary]);
    });
    for (const call of this.allCalls()) places.push([`${call.tool} argv`, call.args.join(' ')]);
    for (const file of this.leftoverFiles())
      places.push([`file ${file}`, readFileSync(file, 'utf8')]);
    for (const [name, text] of Object.entries(extra)) places.push([name, text]);
    const found: string[] = [];
    for (const secret of secrets) {
      for (const [place, text] of places)
        if (text.includes(secret)) found.push(`${place} holds ${secret.slice(0, 4)}…`);
    }
    return found;
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise((resolve) => s.close(resolve))));
    await this.upstream.close();
    await this.google.stop();
    rmSync(this.root, { recursive: true, force: true });
  }
}

interface ActionInputSpec {
  default?: string;
}

let actionInputs: Record<string, ActionInputSpec> | undefined;

/**
 * Where the suites differ from action.yml's defaults: most deploy without a plan run before, so
 * they do not ask for a reviewed plan. test/review-e2e.test.ts covers the check with the default.
 */
// They also skip the proof from outside, which would look up the domain and connect to it: it is
// tested against loopback servers (test/proof.test.ts), and the dry run lists it.
const SUITE_DEFAULTS: Record<string, string> = {
  'require-reviewed-plan': 'false',
  'verify-after-deploy': 'false'
};

function declaredInputs(): Record<string, ActionInputSpec> {
  actionInputs ??= (
    parse(readFileSync(path.join(PROJECT_ROOT, 'action.yml'), 'utf8')) as {
      inputs: Record<string, ActionInputSpec>;
    }
  ).inputs;
  return actionInputs;
}

/** An input's default as action.yml declares it ('' when it has none). */
export function actionDefault(name: string): string {
  return String(declaredInputs()[name]?.default ?? '');
}

/** INPUT_* variables as the runner sets them: every declared input, defaults filled in. */
function inputEnv(inputs: Record<string, string>): Record<string, string> {
  const actionInputs = declaredInputs();
  const env: Record<string, string> = {};
  for (const [name, spec] of Object.entries(actionInputs)) {
    let value = inputs[name] ?? SUITE_DEFAULTS[name] ?? String(spec.default ?? '');
    if (value === '${{ github.token }}') value = GITHUB_TOKEN;
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  for (const name of Object.keys(inputs)) {
    if (!(name in actionInputs)) throw new Error(`harness: ${name} is not an input in action.yml`);
  }
  return env;
}
