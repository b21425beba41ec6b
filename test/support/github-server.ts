/**
 * A loopback (127.0.0.1) stand-in for the GitHub REST endpoints the action calls, answering with
 * GitHub's request and response shapes: issue comments (list with Link pagination, create,
 * update; each with its author), pull requests of a commit (merged or not, merge commit, base and
 * head), pull request reviews, the authenticated user (403 for an installation token, as
 * GITHUB_TOKEN gets), the repository, issues by label (list, create, update), labels. It records
 * every request and can be told to fail matching requests (403, 404, 502, rate limits).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly authorization: string | undefined;
}

export interface Fault {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** How many matching requests fail (default 1). */
  readonly times?: number;
}

interface FaultRule {
  readonly method: string | undefined;
  readonly path: RegExp;
  readonly fault: Fault;
  remaining: number;
}

export interface CommentUser {
  readonly login: string;
  readonly id: number;
  readonly type: 'Bot' | 'User';
}

/** Who writes with the job's GITHUB_TOKEN: the GitHub Actions app's bot user. */
export const ACTIONS_BOT_USER: CommentUser = {
  login: 'github-actions[bot]',
  id: 41898282,
  type: 'Bot'
};

export interface StoredComment {
  id: number;
  issueNumber: number;
  body: string;
  created_at: string;
  updated_at: string;
  user: CommentUser;
  /** The app a comment was written through (GitHub Actions for GITHUB_TOKEN), or null. */
  app: string | null;
}

/** A pull request as `GET /repos/{o}/{r}/commits/{sha}/pulls` returns it. */
export interface CommitPull {
  readonly number: number;
  readonly merged: boolean;
  /** Default: the commit it is listed under, when merged. */
  readonly mergeCommitSha?: string;
  /** Default: the default branch. */
  readonly baseRef?: string;
  /** Default: PULL_HEAD_SHA. */
  readonly headSha?: string;
}

/** A pull request review as `GET /repos/{o}/{r}/pulls/{n}/reviews` returns it. */
export interface StoredReview {
  readonly login: string;
  readonly state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';
  readonly commitId: string;
}

/** The head commit of the harness's pull requests, before they are merged. */
export const PULL_HEAD_SHA = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d';

export interface StoredIssue {
  number: number;
  title: string;
  body: string;
  state: 'open' | 'closed';
  state_reason: string | null;
  labels: string[];
  isPullRequest: boolean;
}

const DOCS = 'https://docs.github.com/rest';

/** Canned faults with the headers and bodies GitHub sends. */
export const FAULTS = {
  forbidden: (): Fault => ({
    status: 403,
    body: {
      message: 'Resource not accessible by integration',
      documentation_url: DOCS,
      status: '403'
    }
  }),
  badGateway: (times = 1): Fault => ({ status: 502, body: 'Bad Gateway', times }),
  primaryRateLimit: (): Fault => ({
    status: 403,
    headers: {
      'x-ratelimit-limit': '1000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-used': '1000',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000))
    },
    body: { message: 'API rate limit exceeded for installation ID 1.', documentation_url: DOCS }
  }),
  secondaryRateLimit: (status = 429): Fault => ({
    status,
    headers: { 'retry-after': '1' },
    body: {
      message:
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
      documentation_url: DOCS
    }
  })
};

export class GitHubServer {
  readonly requests: RecordedRequest[] = [];
  readonly comments: StoredComment[] = [];
  readonly issues: StoredIssue[] = [];
  readonly labels = new Set<string>();
  /** Pull requests per commit SHA, as `GET /repos/{o}/{r}/commits/{sha}/pulls` returns them. */
  readonly commitPulls = new Map<string, CommitPull[]>();
  /** Reviews per pull request number, oldest first. */
  readonly reviews = new Map<number, StoredReview[]>();
  /**
   * Environments as `GET /repos/{o}/{r}/environments/{name}` returns them: the protection rules'
   * types and whether a deployment branch policy is set. A missing one answers 404.
   */
  readonly environments = new Map<string, { rules: string[]; branchPolicy: boolean }>();
  /**
   * Workflow run attempts as `GET /repos/{o}/{r}/actions/runs/{id}/attempts/{n}` returns them,
   * keyed `ID/ATTEMPT`; a missing one answers 404.
   */
  readonly runAttempts = new Map<
    string,
    { status: string; conclusion: string | null; runStartedAt: string; updatedAt: string }
  >();
  /** What `GET /user` answers: an installation token (GITHUB_TOKEN) gets 403. */
  tokenUser: CommentUser | undefined = undefined;
  readonly defaultBranch = 'main';
  /** Page size cap, small in tests so pagination is exercised. */
  maxPerPage = 100;
  private readonly faults: FaultRule[] = [];
  private nextId = 1000;
  private nextNumber = 1;
  private server: Server | undefined;
  private base = '';

  constructor(
    readonly owner = 'acme',
    readonly repo = 'infra'
  ) {}

  get url(): string {
    return this.base;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.base = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Makes the next matching request(s) fail. */
  fail(method: string | undefined, path: RegExp, fault: Fault): void {
    this.faults.push({ method, path, fault, remaining: fault.times ?? 1 });
  }

  /** A pull request (or plain issue) that already exists, numbered like GitHub does. */
  addIssue(partial: Partial<StoredIssue> = {}): StoredIssue {
    const issue: StoredIssue = {
      number: this.nextNumber++,
      title: 'Change',
      body: '',
      state: 'open',
      state_reason: null,
      labels: [],
      isPullRequest: false,
      ...partial
    };
    this.issues.push(issue);
    return issue;
  }

  /** A comment, by default written with GITHUB_TOKEN (the GitHub Actions bot). */
  addComment(
    issueNumber: number,
    body: string,
    user: CommentUser = this.tokenUser ?? ACTIONS_BOT_USER
  ): StoredComment {
    const now = new Date().toISOString();
    const comment = {
      id: this.nextId++,
      issueNumber,
      body,
      created_at: now,
      updated_at: now,
      user,
      app: user.type === 'Bot' ? 'github-actions' : null
    };
    this.comments.push(comment);
    return comment;
  }

  commentsOn(issueNumber: number): StoredComment[] {
    return this.comments.filter((c) => c.issueNumber === issueNumber);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.base);
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    let body: unknown = undefined;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    this.requests.push({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body,
      authorization: req.headers.authorization
    });
    const fault = this.faults.find(
      (rule) =>
        rule.remaining > 0 &&
        (!rule.method || rule.method === method) &&
        rule.path.test(url.pathname)
    );
    if (fault) {
      fault.remaining -= 1;
      return send(res, fault.fault.status, fault.fault.body ?? '', fault.fault.headers);
    }
    const answer = this.route(method, url, body as Record<string, unknown> | undefined);
    send(res, answer.status, answer.body, answer.headers);
  }

  private route(
    method: string,
    url: URL,
    body: Record<string, unknown> | undefined
  ): { status: number; body: unknown; headers?: Record<string, string> } {
    const prefix = `/repos/${this.owner}/${this.repo}`;
    const path = url.pathname;
    if (path === '/user' && method === 'GET') {
      return this.tokenUser
        ? { status: 200, body: this.tokenUser }
        : {
            status: 403,
            body: {
              message: 'Resource not accessible by integration',
              documentation_url: `${DOCS}/users/users#get-the-authenticated-user`,
              status: '403'
            }
          };
    }
    if (path === prefix && method === 'GET') {
      return {
        status: 200,
        body: {
          id: 700000001,
          full_name: `${this.owner}/${this.repo}`,
          default_branch: this.defaultBranch
        }
      };
    }
    if (!path.startsWith(`${prefix}/`)) return notFound();
    const rest = path.slice(prefix.length);
    let m: RegExpExecArray | null;

    if ((m = /^\/issues\/(\d+)\/comments$/.exec(rest))) {
      const number = Number(m[1]);
      if (!this.issues.some((i) => i.number === number)) return notFound();
      if (method === 'GET')
        return this.page(
          url,
          this.commentsOn(number).map((c) => this.commentJson(c))
        );
      if (method === 'POST') {
        if (typeof body?.body !== 'string') return invalid('body');
        if (body.body.length > 65_536)
          return invalid('body is too long (maximum is 65536 characters)');
        return { status: 201, body: this.commentJson(this.addComment(number, body.body)) };
      }
    }
    if ((m = /^\/issues\/comments\/(\d+)$/.exec(rest)) && method === 'PATCH') {
      const comment = this.comments.find((c) => c.id === Number(m![1]));
      if (!comment) return notFound();
      if (typeof body?.body !== 'string') return invalid('body');
      if (body.body.length > 65_536)
        return invalid('body is too long (maximum is 65536 characters)');
      comment.body = body.body;
      comment.updated_at = new Date().toISOString();
      return { status: 200, body: this.commentJson(comment) };
    }
    if ((m = /^\/commits\/([0-9a-f]{7,40})\/pulls$/.exec(rest)) && method === 'GET') {
      const sha = m[1]!;
      const pulls = this.commitPulls.get(sha) ?? [];
      return {
        status: 200,
        body: pulls.map((p) => ({
          number: p.number,
          state: p.merged ? 'closed' : 'open',
          merged_at: p.merged ? '2026-01-01T00:00:00Z' : null,
          // GitHub fills it for open pull requests too (the test merge commit).
          merge_commit_sha:
            p.mergeCommitSha ?? (p.merged ? sha : 'e1e2e3e4e5e6e7e8e9e0e1e2e3e4e5e6e7e8e9e0'),
          user: { login: 'alice', id: 9000002, type: 'User' },
          head: { ref: 'gpu-pool', sha: p.headSha ?? PULL_HEAD_SHA },
          base: { ref: p.baseRef ?? this.defaultBranch },
          html_url: `https://github.com/${this.owner}/${this.repo}/pull/${p.number}`
        }))
      };
    }
    if ((m = /^\/actions\/runs\/(\d+)\/attempts\/(\d+)$/.exec(rest)) && method === 'GET') {
      const run = this.runAttempts.get(`${m[1]}/${m[2]}`);
      if (!run) return notFound();
      return {
        status: 200,
        body: {
          id: Number(m[1]),
          run_attempt: Number(m[2]),
          status: run.status,
          conclusion: run.conclusion,
          run_started_at: run.runStartedAt,
          updated_at: run.updatedAt,
          html_url: `https://github.com/${this.owner}/${this.repo}/actions/runs/${m[1]}/attempts/${m[2]}`,
          repository: { id: 700000001, full_name: `${this.owner}/${this.repo}` }
        }
      };
    }
    if ((m = /^\/environments\/([^/]+)$/.exec(rest)) && method === 'GET') {
      const name = decodeURIComponent(m[1]!);
      const environment = this.environments.get(name);
      if (!environment) return notFound();
      return {
        status: 200,
        body: {
          id: 161088068,
          name,
          protection_rules: environment.rules.map((type, i) => ({ id: 3736 + i, type })),
          deployment_branch_policy: environment.branchPolicy
            ? { protected_branches: false, custom_branch_policies: true }
            : null
        }
      };
    }
    if ((m = /^\/pulls\/(\d+)\/reviews$/.exec(rest)) && method === 'GET') {
      const number = Number(m[1]);
      return this.page(
        url,
        (this.reviews.get(number) ?? []).map((r, i) => ({
          id: 80000 + i,
          user: { login: r.login, id: 9100000 + i, type: 'User' },
          state: r.state,
          commit_id: r.commitId,
          submitted_at: '2026-01-01T00:00:00Z'
        }))
      );
    }
    if (rest === '/issues') {
      if (method === 'GET') {
        const state = url.searchParams.get('state') ?? 'open';
        const wanted = (url.searchParams.get('labels') ?? '').split(',').filter(Boolean);
        const found = this.issues.filter(
          (i) => (state === 'all' || i.state === state) && wanted.every((l) => i.labels.includes(l))
        );
        return this.page(
          url,
          found.map((i) => this.issueJson(i))
        );
      }
      if (method === 'POST') {
        if (typeof body?.title !== 'string') return invalid('title');
        const labels = Array.isArray(body.labels) ? body.labels.map(String) : [];
        for (const label of labels) this.labels.add(label);
        const issue = this.addIssue({ title: body.title, body: String(body.body ?? ''), labels });
        return { status: 201, body: this.issueJson(issue) };
      }
    }
    if ((m = /^\/issues\/(\d+)$/.exec(rest)) && method === 'PATCH') {
      const issue = this.issues.find((i) => i.number === Number(m![1]));
      if (!issue) return notFound();
      if (typeof body?.body === 'string') issue.body = body.body;
      if (body?.state === 'open' || body?.state === 'closed') issue.state = body.state;
      if (typeof body?.state_reason === 'string') issue.state_reason = body.state_reason;
      return { status: 200, body: this.issueJson(issue) };
    }
    if ((m = /^\/labels\/([^/]+)$/.exec(rest)) && method === 'GET') {
      const name = decodeURIComponent(m[1]!);
      return this.labels.has(name) ? { status: 200, body: labelJson(name) } : notFound();
    }
    if (rest === '/labels' && method === 'POST') {
      const name = String(body?.name ?? '');
      if (this.labels.has(name)) {
        return {
          status: 422,
          body: {
            message: 'Validation Failed',
            errors: [{ resource: 'Label', code: 'already_exists', field: 'name' }]
          }
        };
      }
      this.labels.add(name);
      return { status: 201, body: labelJson(name) };
    }
    return notFound();
  }

  /** GitHub's pagination: `per_page`, `page`, and a Link header naming the next page. */
  private page(url: URL, items: unknown[]) {
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), this.maxPerPage);
    const page = Number(url.searchParams.get('page') ?? 1);
    const slice = items.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < items.length) {
      const next = new URL(url);
      next.searchParams.set('page', String(page + 1));
      headers.link = `<${next.toString()}>; rel="next"`;
    }
    return { status: 200, body: slice, headers };
  }

  private commentJson(c: StoredComment) {
    const html = `https://github.com/${this.owner}/${this.repo}/pull/${c.issueNumber}#issuecomment-${c.id}`;
    return {
      id: c.id,
      node_id: `IC_${c.id}`,
      url: `${this.base}/repos/${this.owner}/${this.repo}/issues/comments/${c.id}`,
      html_url: html,
      issue_url: `${this.base}/repos/${this.owner}/${this.repo}/issues/${c.issueNumber}`,
      body: c.body,
      user: c.user,
      performed_via_github_app: c.app ? { id: 15368, slug: c.app, name: 'GitHub Actions' } : null,
      author_association: c.user.type === 'Bot' ? 'NONE' : 'CONTRIBUTOR',
      created_at: c.created_at,
      updated_at: c.updated_at
    };
  }

  private issueJson(i: StoredIssue) {
    return {
      id: 5000 + i.number,
      number: i.number,
      title: i.title,
      body: i.body,
      state: i.state,
      state_reason: i.state_reason,
      labels: i.labels.map(labelJson),
      html_url: `https://github.com/${this.owner}/${this.repo}/issues/${i.number}`,
      user: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
      ...(i.isPullRequest
        ? {
            pull_request: { url: `${this.base}/repos/${this.owner}/${this.repo}/pulls/${i.number}` }
          }
        : {})
    };
  }
}

function labelJson(name: string) {
  return { id: name.length, name, color: 'd93f0b', description: null, default: false };
}

function notFound() {
  return { status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } };
}

function invalid(field: string) {
  return {
    status: 422,
    body: {
      message: 'Validation Failed',
      errors: [{ resource: 'IssueComment', code: 'invalid', field }]
    }
  };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/html' : 'application/json; charset=utf-8',
    'x-github-request-id': 'LOOPBACK:1',
    ...headers
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
