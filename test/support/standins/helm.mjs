// A model of helm against the cluster: releases keep chart, version, values, labels and revision,
// so a second run reads back exactly what the first one installed.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { fail, flag, flags, has, ok, positionals } from './args.mjs';

const VALUED = [
  '--namespace',
  '-n',
  '--version',
  '--values',
  '-f',
  '--set',
  '--set-string',
  '--set-json',
  '--timeout',
  '-o',
  '--output',
  '--labels',
  '--destination',
  '-l',
  '--kube-context',
  '--kubeconfig',
  '--description',
  '--repo',
  '--revision',
  '--max',
  '--history-max'
];
const NOT_FOUND = 'Error: release: not found\n';

export function answerHelm({ args, world }) {
  const h = (world.helm ??= { releases: {}, repos: {} });
  // `--wait` takes no separate value (Helm 3: a boolean; Helm 4: `--wait[=STRATEGY]`).
  const words = positionals(args, VALUED);
  const ns = flag(args, '--namespace', '-n') ?? 'default';
  const json = (flag(args, '-o', '--output') ?? '') === 'json';
  const key = (name) => `${ns}/${name}`;
  switch (words[0]) {
    case 'version':
      return ok(`${h.version ?? 'v3.19.0+g3d8990f'}\n`);
    case 'repo':
      if (words[1] === 'add') {
        h.repos[words[2]] = words[3];
        return ok(`"${words[2]}" has been added to your repositories\n`);
      }
      return ok(
        'Hang tight while we grab the latest from your chart repositories...\nUpdate Complete. ⎈Happy Helming!⎈\n'
      );
    case 'search': {
      // The repository index: every v1 version, less those a test removed.
      const version = flag(args, '--version');
      const missing = (h.missingVersions ?? []).includes(version);
      return ok(
        JSON.stringify(
          missing || !/^v1\.\d+\.\d+$/.test(version ?? '')
            ? []
            : [{ name: words[2], version, app_version: version, description: 'flyte-binary' }]
        )
      );
    }
    case 'pull': {
      const version = flag(args, '--version');
      const destination = flag(args, '--destination') ?? '.';
      if ((h.missingVersions ?? []).includes(version))
        return fail(
          `Error: chart "flyte-binary" version "${version}" not found in https://flyteorg.github.io/flyte repository\n`
        );
      writeFileSync(
        path.join(destination, `flyte-binary-${version}.tgz`),
        'stand-in chart archive'
      );
      return ok();
    }
    case 'template':
      return ok('---\n# Source: flyte-binary/templates/deployment.yaml\nkind: Deployment\n');
    case 'upgrade':
    case 'install':
      return upgrade(words, args, ns, h, world);
    case 'status': {
      const r = h.releases[key(words[1])];
      if (!r) return fail(NOT_FOUND);
      return ok(
        json
          ? JSON.stringify({
              name: words[1],
              info: { status: r.status, description: r.description },
              chart: { metadata: { name: r.chart, version: r.version, appVersion: r.appVersion } },
              config: r.values,
              version: r.revision,
              namespace: ns
            })
          : `NAME: ${words[1]}\nSTATUS: ${r.status}\nREVISION: ${r.revision}\n`
      );
    }
    case 'get': {
      const r = h.releases[key(words[2])];
      if (!r) return fail(NOT_FOUND);
      if (words[1] === 'metadata') {
        const meta = {
          name: words[2],
          chart: r.chart,
          version: r.version,
          appVersion: r.appVersion,
          annotations: {},
          labels: r.labels,
          dependencies: [],
          namespace: ns,
          revision: r.revision,
          status: r.status,
          deployedAt: r.deployedAt
        };
        return ok(
          json
            ? JSON.stringify(meta)
            : Object.entries(meta)
                .map(
                  ([k, v]) => `${k.toUpperCase()}: ${typeof v === 'object' ? JSON.stringify(v) : v}`
                )
                .join('\n') + '\n'
        );
      }
      if (words[1] === 'values')
        return ok(
          json ? JSON.stringify(r.values) : `USER-SUPPLIED VALUES:\n${JSON.stringify(r.values)}\n`
        );
      return ok();
    }
    case 'list':
    case 'ls':
      return ok(
        JSON.stringify(
          Object.entries(h.releases)
            .filter(([k]) => k.startsWith(`${ns}/`))
            .map(([k, r]) => ({
              name: k.split('/')[1],
              namespace: ns,
              revision: String(r.revision),
              status: r.status,
              chart: `${r.chart}-${r.version}`,
              app_version: r.appVersion
            }))
        )
      );
    case 'history': {
      const r = h.releases[key(words[1])];
      if (!r) return fail(NOT_FOUND);
      const max = Number(flag(args, '--max') ?? 256);
      const rows = revisions(r)
        .slice(-max)
        .map((v) => ({
          revision: v.revision,
          updated: v.updated ?? v.deployedAt ?? '2026-11-24T04:00:00.000000000Z',
          status: v.status,
          chart: `${v.chart}-${v.version}`,
          app_version: v.appVersion,
          description: v.description ?? ''
        }));
      return ok(
        json ? JSON.stringify(rows) : rows.map((v) => `${v.revision}\t${v.status}`).join('\n')
      );
    }
    case 'rollback':
      return rollback(words, ns, h);
    case 'uninstall':
    case 'delete': {
      const name = words[1];
      if (!h.releases[key(name)])
        return has(args, '--ignore-not-found')
          ? ok()
          : fail(`Error: uninstall: Release not loaded: ${name}: release: not found\n`);
      delete h.releases[key(name)];
      return ok(`release "${name}" uninstalled\n`);
    }
    default:
      return ok();
  }
}

function upgrade(words, args, ns, h, world) {
  const [, name, chartRef] = words;
  if (!world.terraform?.applied)
    return fail(
      'Error: Kubernetes cluster unreachable: Get "https://34.1.2.3/version": dial tcp 34.1.2.3:443: i/o timeout\n'
    );
  const existing = h.releases[`${ns}/${name}`];
  if (!existing && words[0] === 'upgrade' && !has(args, '--install', '-i'))
    return fail(`Error: UPGRADE FAILED: "${name}" has no deployed releases\n`);
  // As pkg/action/upgrade.go: the last revision pending (an operation that never finished, or
  // one still running) refuses every upgrade, with --install too once any revision exists.
  if (existing && PENDING.includes(existing.status))
    return fail(
      'Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress\n'
    );
  const chart = describeChart(chartRef, flag(args, '--version'), h);
  if (!chart)
    return fail(
      chartRef.endsWith('.tgz')
        ? `Error: path "${chartRef}" not found\n`
        : `Error: repo ${chartRef.split('/')[0]} not found\n`
    );
  const values = {};
  for (const file of flags(args, '--values', '-f'))
    deepMerge(values, parse(readFileSync(file, 'utf8')) ?? {});
  // As helm does: --set types its values (true, false, null, integers), --set-string does not.
  const typed = (text) =>
    text === 'true'
      ? true
      : text === 'false'
        ? false
        : text === 'null'
          ? null
          : /^-?[0-9]+$/.test(text)
            ? Number(text)
            : text;
  for (const [flagName, convert] of [
    ['--set', typed],
    ['--set-string', (t) => t]
  ]) {
    for (const pair of flags(args, flagName)) {
      for (const part of pair.split(/,(?=[^,=]+=)/)) {
        const at = part.indexOf('=');
        setPath(values, part.slice(0, at).split('.'), convert(part.slice(at + 1)));
      }
    }
  }
  const labels = Object.fromEntries(
    flags(args, '--labels', '-l')
      .flatMap((l) => l.split(','))
      .map((kv) => kv.split('='))
  );
  if (h.failNextUpgrade) {
    h.failNextUpgrade -= 1;
    return fail(
      `Error: UPGRADE FAILED: release ${name} failed, and has been rolled back due to atomic being set: context deadline exceeded\n`
    );
  }
  const revision = (existing?.revision ?? 0) + 1;
  h.releases[`${ns}/${name}`] = {
    history: existing ? superseding(existing) : [],
    chart: chart.name,
    version: chart.version,
    appVersion: chart.appVersion,
    values,
    labels,
    revision,
    status: 'deployed',
    deployedAt: '2026-11-24T04:00:00.000000000Z',
    description: existing ? 'Upgrade complete' : 'Install complete',
    certificateDomains: certificateDomains(chart.name, values)
  };
  h.upgrades = (h.upgrades ?? 0) + 1;
  return ok(
    `${existing ? `Release "${name}" has been upgraded. Happy Helming!` : `Release "${name}" does not exist. Installing it now.`}\nNAME: ${name}\nNAMESPACE: ${ns}\nSTATUS: deployed\nREVISION: ${revision}\n`
  );
}

/** The domains of the ManagedCertificate the action's flyte-gke chart renders (none when off). */
function certificateDomains(chart, values) {
  if (chart !== 'flyte-gke' || values.ingress?.enabled !== true || !values.ingress.domain)
    return undefined;
  return [String(values.ingress.domain)];
}

function describeChart(ref, version, h) {
  if (ref.endsWith('.tgz')) {
    // A chart archive, as helm reads it: CHART/Chart.yaml inside the gzipped tar.
    if (!existsSync(ref)) return undefined;
    const meta = parse(
      execFileSync('tar', ['-xzOf', ref, '--wildcards', '*/Chart.yaml'], { encoding: 'utf8' })
    );
    return {
      name: meta.name,
      version: String(meta.version),
      appVersion: String(meta.appVersion ?? '')
    };
  }
  if (existsSync(path.join(ref, 'Chart.yaml'))) {
    const meta = parse(readFileSync(path.join(ref, 'Chart.yaml'), 'utf8'));
    return {
      name: meta.name,
      version: String(meta.version),
      appVersion: String(meta.appVersion ?? '')
    };
  }
  const [repo, name] = ref.split('/');
  if (!h.repos[repo]) return undefined;
  const v = version ?? 'v1.16.8';
  // flyte-binary chart versions are v-prefixed; the app version is the Flyte release.
  return { name, version: v, appVersion: v === 'v1.16.8' ? '1.16.0' : v.replace(/^v/, '') };
}

function deepMerge(target, source) {
  for (const [k, v] of Object.entries(source)) {
    if (
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      target[k] &&
      typeof target[k] === 'object' &&
      !Array.isArray(target[k])
    )
      deepMerge(target[k], v);
    else target[k] = v;
  }
  return target;
}

function setPath(target, keys, value) {
  let at = target;
  for (const k of keys.slice(0, -1)) at = at[k] ??= {};
  at[keys.at(-1)] = value;
}

const PENDING = ['pending-install', 'pending-upgrade', 'pending-rollback'];

/** Every revision of a release, oldest first: the kept ones, then the current. */
function revisions(r) {
  const { history = [], ...current } = r;
  return [...history, current];
}

/** The revisions a new one follows: deployed ones become superseded, others keep their status. */
function superseding(r) {
  return revisions(r).map((v) => (v.status === 'deployed' ? { ...v, status: 'superseded' } : v));
}

/**
 * As pkg/action/rollback.go (Helm 3.18 and 4.1): no check for a pending revision; a new revision
 * copies the target's chart and values, deployed ones are superseded, the pending one stays as it
 * was in the history.
 */
function rollback(words, ns, h) {
  const [, name, rev] = words;
  const r = h.releases[`${ns}/${name}`];
  if (!r) return fail(NOT_FOUND);
  const wanted = rev === undefined || Number(rev) === 0 ? r.revision - 1 : Number(rev);
  const target = revisions(r).find((v) => v.revision === wanted);
  if (!target) return fail(`Error: release has no ${wanted} version\n`);
  h.releases[`${ns}/${name}`] = {
    ...target,
    history: superseding(r),
    revision: r.revision + 1,
    status: 'deployed',
    description: `Rollback to ${wanted}`,
    updated: '2026-11-24T04:30:00.000000000Z'
  };
  h.rollbacks = (h.rollbacks ?? 0) + 1;
  return ok('Rollback was a success! Happy Helming!\n');
}
