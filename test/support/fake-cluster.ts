/**
 * A stateful stand-in for helm, kubectl and gcloud at the Exec boundary: it remembers releases
 * the way Helm stores them (values from --values files and --set flags), so a second deploy sees
 * what the first one left.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { Exec, ExecOptions, ExecResult } from '../../src/engine/types.js';
import { crc32c } from '../../src/gcp/crc32c.js';
import { GoogleApiError, type GoogleApi, type GoogleRequest } from '../../src/gcp/google-api.js';
import { CANARY_PASSWORD, PASSWORD_SECRET } from './flyte-fixtures.js';

export interface Call {
  readonly tool: string;
  readonly args: readonly string[];
  readonly stdin?: string;
}

interface Release {
  chart: string;
  version: string;
  appVersion: string;
  values: Record<string, unknown>;
}

const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
const fail = (stderr: string): ExecResult => ({ exitCode: 1, stdout: '', stderr });

function setPath(target: Record<string, unknown>, dotted: string, value: unknown) {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = value;
}

export class FakeCluster {
  readonly releases = new Map<string, Release>();
  readonly configMaps = new Map<string, unknown>();
  readonly calls: Call[] = [];
  /** The action's own Google REST calls (backend services, IAP policies), in order. */
  readonly googleCalls: GoogleRequest[] = [];
  readonly sqlBackups: { id: string; instance: string }[] = [];
  /** For each Cloud SQL Admin call, how many tool calls had run before it (for their order). */
  readonly sqlCallsAfter: number[] = [];
  certificateStatus = 'Active';
  backendServices: { name: string; description: string; iap?: { enabled: boolean } }[] = [];
  /** Members holding the IAP accessor role, as getIamPolicy reports them. */
  iapMembers: string[] = [];
  /** The listing at which the controller has turned IAP on (Infinity: never). */
  iapOnAfterListings = 2;
  /** Secret Manager: the data of each secret version, by its full name. */
  readonly secretVersions = new Map<string, string>([[PASSWORD_SECRET, CANARY_PASSWORD]]);
  private backendListings = 0;
  private secretAnnotations: Record<string, Record<string, string>> = {};

  readonly exec: Exec = {
    run: async (tool, args, options?: ExecOptions) => {
      this.calls.push({
        tool,
        args: [...args],
        ...(options?.stdin ? { stdin: options.stdin } : {})
      });
      if (tool === 'helm') return this.helm(args);
      if (tool === 'kubectl') return this.kubectl(args, options?.stdin);
      if (tool === 'gcloud') return this.gcloud(args);
      return fail(`unexpected tool ${tool}`);
    }
  };

  /**
   * Google's backend services list and IAP policy calls over the same model (the request shapes
   * are checked in test/iap-policy.test.ts against the loopback Google).
   */
  readonly google: GoogleApi = {
    accessToken: async () => 'ya29.fake',
    request: async <T>(request: GoogleRequest): Promise<T> => {
      this.googleCalls.push(request);
      const method = request.method ?? 'GET';
      if (method === 'GET' && /\/global\/backendServices$/.test(request.path)) {
        return { items: this.listBackendServices() } as T;
      }
      const secret = /^\/v1\/(projects\/.+\/versions\/\d+):access$/.exec(request.path);
      if (method === 'GET' && request.service === 'secretmanager' && secret) {
        const data = this.secretVersions.get(secret[1]!);
        if (data === undefined) {
          throw new GoogleApiError(404, 'NOT_FOUND', undefined, 'no such version', request.path);
        }
        const bytes = Buffer.from(data, 'utf8');
        return {
          payload: { data: bytes.toString('base64'), dataCrc32c: String(crc32c(bytes)) }
        } as T;
      }
      const backup =
        request.service === 'sqladmin' ? this.sqlBackupAnswer(method, request.path) : undefined;
      if (backup !== undefined) return backup as T;
      // No NEG and no internal forwarding rule is left in this fake project.
      if (
        method === 'GET' &&
        /\/aggregated\/(networkEndpointGroups|forwardingRules)$/.test(request.path)
      ) {
        return { items: {} } as T;
      }
      if (method === 'POST' && request.path.endsWith(':getIamPolicy')) {
        const bindings = [{ role: 'roles/iap.httpsResourceAccessor', members: this.iapMembers }];
        return (this.iapMembers.length > 0 ? { bindings, etag: 'BwY=' } : { etag: 'ACAB' }) as T;
      }
      if (method === 'POST' && request.path.endsWith(':setIamPolicy')) {
        const policy = (
          request.body as { policy: { bindings: { role: string; members: string[] }[] } }
        ).policy;
        this.iapMembers = policy.bindings
          .filter((b) => b.role === 'roles/iap.httpsResourceAccessor')
          .flatMap((b) => b.members);
        return policy as T;
      }
      throw new GoogleApiError(
        404,
        'NOT_FOUND',
        undefined,
        'no such fake route',
        `${method} ${request.path}`
      );
    }
  };

  /**
   * On-demand Cloud SQL backups (backupRuns.insert, operations.get, backupRuns.get): each backup
   * is DONE at the first ask and named by its operation (the shapes are checked in
   * test/sql-backup-runs.test.ts against the loopback Cloud SQL).
   */
  private sqlBackupAnswer(method: string, path: string): unknown {
    this.sqlCallsAfter.push(this.calls.length);
    const runs = /^\/v1\/projects\/[^/]+\/instances\/([^/]+)\/backupRuns(?:\/([^/]+))?$/.exec(path);
    if (method === 'POST' && runs && !runs[2]) {
      const backup = { id: String(9000 + this.sqlBackups.length), instance: runs[1] ?? '' };
      this.sqlBackups.push(backup);
      return { kind: 'sql#operation', name: `op-${backup.id}`, status: 'PENDING' };
    }
    const operation = /^\/v1\/projects\/[^/]+\/operations\/op-(\d+)$/.exec(path);
    if (method === 'GET' && operation) {
      return {
        name: `op-${operation[1]}`,
        status: 'DONE',
        backupContext: { backupId: operation[1] }
      };
    }
    if (method === 'GET' && runs?.[2]) {
      const found = this.sqlBackups.find((b) => b.id === runs[2]);
      return found ? { ...found, type: 'ON_DEMAND', status: 'SUCCESSFUL' } : undefined;
    }
    return undefined;
  }

  /** IAP Google calls: `get` (getIamPolicy) or `set` (setIamPolicy), with the backend service. */
  iapCalls(verb: 'get' | 'set'): GoogleRequest[] {
    const suffix = verb === 'get' ? ':getIamPolicy' : ':setIamPolicy';
    return this.googleCalls.filter((c) => c.path.endsWith(suffix));
  }

  /** backendServices.list calls made. */
  backendListCalls(): GoogleRequest[] {
    return this.googleCalls.filter((c) => c.path.endsWith('/global/backendServices'));
  }

  /** Calls of one tool whose arguments start with the given words. */
  callsOf(tool: string, ...prefix: string[]): Call[] {
    return this.calls.filter(
      (c) => c.tool === tool && prefix.every((word, i) => c.args[i] === word)
    );
  }

  private helm(args: readonly string[]): ExecResult {
    const [verb, sub] = args;
    if (verb === 'repo') return ok();
    if (verb === 'history') {
      // Every release this fake holds finished its last operation (no pending revision).
      const release = this.releases.get(sub as string);
      if (!release) return fail('Error: release: not found');
      return ok(
        JSON.stringify([
          {
            revision: 1,
            updated: '2026-11-24T04:00:00Z',
            status: 'deployed',
            chart: `${release.chart}-${release.version}`,
            app_version: release.appVersion,
            description: 'Install complete'
          }
        ])
      );
    }
    if (verb === 'get') {
      const release = this.releases.get(args[2] as string);
      if (!release) return fail('Error: release: not found');
      if (sub === 'metadata')
        return ok(
          JSON.stringify({
            name: args[2],
            chart: release.chart,
            version: release.version,
            appVersion: release.appVersion
          })
        );
      if (sub === 'values') return ok(JSON.stringify(release.values));
    }
    if (verb === 'upgrade') {
      const [name, chart] = [args[2] as string, args[3] as string];
      const values: Record<string, unknown> = {};
      let version = '';
      args.forEach((arg, i) => {
        const next = args[i + 1] as string;
        if (arg === '--version') version = next;
        if (arg === '--values') Object.assign(values, parse(readFileSync(next, 'utf8')));
        if (arg === '--set-string')
          setPath(values, next.split('=')[0] as string, next.slice(next.indexOf('=') + 1));
        if (arg === '--set') {
          const raw = next.slice(next.indexOf('=') + 1);
          setPath(
            values,
            next.split('=')[0] as string,
            raw === 'true' ? true : raw === 'false' ? false : /^\d+$/.test(raw) ? Number(raw) : raw
          );
        }
      });
      // A local chart: a folder, or an archive holding CHART/Chart.yaml.
      const meta = (
        chart.endsWith('.tgz')
          ? parse(
              execFileSync('tar', ['-xzOf', chart, '--wildcards', '*/Chart.yaml'], {
                encoding: 'utf8'
              })
            )
          : existsSync(path.join(chart, 'Chart.yaml'))
            ? parse(readFileSync(path.join(chart, 'Chart.yaml'), 'utf8'))
            : { name: path.basename(chart), version }
      ) as { name: string; version: string };
      if (!version) version = String(meta.version);
      this.releases.set(name, {
        chart: meta.name,
        version,
        appVersion: '1.16.0',
        values
      });
      return ok(`Release "${name}" has been upgraded.`);
    }
    if (verb === 'uninstall') {
      const name = args[1] as string;
      if (!this.releases.delete(name))
        return fail(`Error: uninstall: Release not loaded: ${name}: release: not found`);
      return ok(`release "${name}" uninstalled`);
    }
    return fail(`unexpected helm ${args.join(' ')}`);
  }

  private kubectl(args: readonly string[], stdin = ''): ExecResult {
    if (args[0] === 'apply') {
      // Keeps the Secret's annotations, which the action reads back with a JSONPath.
      const list = JSON.parse(stdin) as {
        items: {
          kind: string;
          metadata: { name: string; annotations?: Record<string, string> };
        }[];
      };
      for (const item of list.items) {
        if (item.kind === 'ConfigMap') this.configMaps.set(item.metadata.name, item);
      }
      const secret = list.items.find((i) => i.kind === 'Secret');
      if (secret) this.secretAnnotations[secret.metadata.name] = secret.metadata.annotations ?? {};
      return ok('secret/x configured');
    }
    if (args[0] === 'get' && args[1] === 'secret') {
      const key = /\{\.metadata\.annotations\.(.+)\}$/.exec(args.at(-1) ?? '')?.[1] ?? '';
      return ok(this.secretAnnotations[args[2] ?? '']?.[key.replace(/\\\./g, '.')] ?? '');
    }
    if (args[0] === 'delete') return ok();
    if (args[0] === 'get' && args[1] === 'configmap') {
      const stored = this.configMaps.get(args[2] ?? '');
      return ok(stored ? JSON.stringify(stored) : '');
    }
    if (args[0] === 'get' && args[1] === 'deployment') {
      // flyte-binary's Deployment: its chart label and the annotations of its values.
      const release = [...this.releases.entries()].find(
        ([name, r]) => r.chart !== 'flyte-gke' && `${name}-flyte-binary` === args[2]
      )?.[1];
      if (!release) return ok('');
      const deployment = (release.values.deployment ?? {}) as { annotations?: unknown };
      return ok(
        JSON.stringify({
          metadata: {
            labels: {
              'helm.sh/chart': `flyte-binary-${release.version}`,
              'app.kubernetes.io/version': release.appVersion
            },
            annotations: deployment.annotations ?? {}
          }
        })
      );
    }
    // No Ingress of the earlier layout in this fake cluster.
    if (args[0] === 'get' && args[1] === 'ingress') return ok('');
    if (args[0] === 'get' && args[1] === 'managedcertificate') {
      return ok(
        JSON.stringify({
          status: {
            certificateStatus: this.certificateStatus,
            domainStatus: [
              {
                domain: 'd',
                status: this.certificateStatus === 'Active' ? 'Active' : 'Provisioning'
              }
            ]
          }
        })
      );
    }
    return fail(`unexpected kubectl ${args.join(' ')}`);
  }

  /**
   * The ingress controller applies the BackendConfig: IAP comes on a little after the flyte-gke
   * chart asked for it (iap.enabled=true), on the controller's own schedule.
   */
  private listBackendServices() {
    this.backendListings++;
    const asked = this.calls.some(
      (c) => c.tool === 'helm' && c.args[0] === 'upgrade' && c.args.includes('iap.enabled=true')
    );
    if (asked && this.backendListings >= this.iapOnAfterListings) {
      for (const service of this.backendServices) {
        if (service.description.includes('flyte-binary')) service.iap = { enabled: true };
      }
    }
    return this.backendServices;
  }

  private gcloud(args: readonly string[]): ExecResult {
    return fail(`unexpected gcloud ${args.join(' ')}`);
  }
}
