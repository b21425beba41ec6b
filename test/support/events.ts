/** Event payloads in the shapes GitHub sends (trimmed to the fields actions read). */
export type EventName = 'pull_request' | 'push' | 'workflow_dispatch' | 'schedule';

const repository = {
  id: 700000001,
  node_id: 'R_kgDOKexample',
  name: 'flyte-platform',
  full_name: 'acme/flyte-platform',
  private: true,
  owner: { login: 'acme', id: 9000001, type: 'Organization' },
  html_url: 'https://github.com/acme/flyte-platform',
  default_branch: 'main',
  fork: false
};
const sender = { login: 'alice', id: 9000002, type: 'User' };
export const HEAD_SHA = '4f1c2d3e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d';
export const BASE_SHA = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b';

export function eventPayload(name: EventName, options: { prNumber?: number; fork?: boolean } = {}) {
  const number = options.prNumber ?? 42;
  switch (name) {
    case 'pull_request':
      return {
        action: 'synchronize',
        number,
        pull_request: {
          id: 1800000000 + number,
          number,
          state: 'open',
          title: 'Scale the GPU pool',
          user: sender,
          html_url: `https://github.com/acme/flyte-platform/pull/${number}`,
          head: {
            ref: 'gpu-pool',
            sha: HEAD_SHA,
            repo: options.fork
              ? {
                  ...repository,
                  id: 700000002,
                  full_name: 'mallory/flyte-platform',
                  fork: true,
                  owner: { login: 'mallory', id: 9000003, type: 'User' }
                }
              : repository
          },
          base: { ref: 'main', sha: BASE_SHA, repo: repository },
          merged: false,
          draft: false
        },
        repository,
        sender
      };
    case 'push':
      return {
        ref: 'refs/heads/main',
        before: BASE_SHA,
        after: HEAD_SHA,
        created: false,
        deleted: false,
        forced: false,
        head_commit: {
          id: HEAD_SHA,
          message: 'Merge pull request #42 from acme/gpu-pool',
          timestamp: '2026-11-24T04:00:00Z'
        },
        commits: [{ id: HEAD_SHA, message: 'Merge pull request #42 from acme/gpu-pool' }],
        pusher: { name: 'alice', email: 'alice@acme.example' },
        repository,
        sender
      };
    case 'workflow_dispatch':
      return {
        inputs: { command: 'deploy' },
        ref: 'refs/heads/main',
        workflow: '.github/workflows/deploy.yml',
        repository,
        sender
      };
    case 'schedule':
      return { schedule: '17 3 * * *', workflow: '.github/workflows/drift.yml', repository };
  }
}
