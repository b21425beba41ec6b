// A model of the kubectl commands the action runs against the cluster.
import { parseAllDocuments } from 'yaml';
import { fail, flag, has, ok, positionals } from './args.mjs';

const VALUED = [
  '-n',
  '--namespace',
  '-o',
  '--output',
  '-f',
  '--filename',
  '--context',
  '--kubeconfig',
  '--timeout',
  '--for'
];

export function answerKubectl({ args, stdin, world }) {
  const k = (world.kubectl ??= { objects: {} });
  const words = positionals(args, VALUED);
  const ns = flag(args, '-n', '--namespace') ?? 'default';
  if (words[0] === 'version')
    return ok(JSON.stringify({ clientVersion: { gitVersion: 'v1.32.4' } }));
  if (!world.terraform?.applied)
    return fail(
      "E1124 04:00:00.000000 memcache.go:265] couldn't get current server API group list: the server could not find the requested resource\n"
    );
  if (words[0] === 'apply' && flag(args, '-f', '--filename') === '-') {
    const lines = [];
    for (const doc of parseAllDocuments(stdin)) {
      const top = doc.toJS();
      // As kubectl does, a List is applied item by item.
      for (const obj of top.kind === 'List' ? (top.items ?? []) : [top]) {
        const stored = asStored(obj);
        const key = objectKey(obj.kind, obj.metadata?.namespace ?? ns, obj.metadata?.name);
        const before = JSON.stringify(k.objects[key] ?? null);
        k.objects[key] = stored;
        const verb =
          before === 'null'
            ? 'created'
            : before === JSON.stringify(stored)
              ? 'unchanged'
              : 'configured';
        lines.push(`${obj.kind.toLowerCase()}/${obj.metadata?.name} ${verb}`);
      }
    }
    return ok(`${lines.join('\n')}\n`);
  }
  if (words[0] === 'get' && /^secrets?$/.test(words[1] ?? '') && words[2]) {
    const obj = k.objects[objectKey('Secret', ns, words[2])];
    if (!obj)
      return has(args, '--ignore-not-found')
        ? ok()
        : fail(`Error from server (NotFound): secrets "${words[2]}" not found\n`);
    const output = flag(args, '-o', '--output') ?? '';
    if (output.startsWith('jsonpath=')) return ok(jsonPath(obj, output.slice('jsonpath='.length)));
    if (output === 'json') return ok(JSON.stringify(obj));
    return ok(
      `NAME   TYPE     DATA   AGE\n${words[2]}   Opaque   ${Object.keys(obj.data ?? {}).length}      5m\n`
    );
  }
  if (words[0] === 'delete' && /^secrets?$/.test(words[1] ?? '') && words[2]) {
    const key = objectKey('Secret', ns, words[2]);
    if (!k.objects[key])
      return has(args, '--ignore-not-found')
        ? ok()
        : fail(`Error from server (NotFound): secrets "${words[2]}" not found\n`);
    delete k.objects[key];
    return ok(`secret "${words[2]}" deleted\n`);
  }
  if (words[0] === 'get' && /^managedcertificates?$/.test(words[1] ?? '')) {
    const name = words[2];
    const release = Object.entries(world.helm?.releases ?? {}).find(
      ([key, r]) => key.startsWith(`${ns}/`) && r.chart === 'flyte-gke'
    );
    if (!release)
      return fail(
        `Error from server (NotFound): managedcertificates.networking.gke.io "${name}" not found\n`
      );
    const polls = (k.certificatePolls = (k.certificatePolls ?? 0) + 1);
    const status =
      polls > (k.provisioningPolls ?? 0) ? (k.certificateStatus ?? 'Active') : 'Provisioning';
    return ok(
      JSON.stringify({
        apiVersion: 'networking.gke.io/v1',
        kind: 'ManagedCertificate',
        metadata: { name, namespace: ns },
        spec: release[1].certificateDomains ? { domains: release[1].certificateDomains } : {},
        status: {
          certificateStatus: status,
          domainStatus: (release[1].certificateDomains ?? []).map((domain) => ({
            domain,
            status: status === 'Active' ? 'Active' : 'Provisioning'
          }))
        }
      })
    );
  }
  if (/^ingress(es)?$/.test(words[1] ?? '') && (words[0] === 'get' || words[0] === 'delete')) {
    const live = liveIngresses(world, ns);
    const named = words.slice(2);
    const found = named.filter((n) => live.includes(n));
    if (words[0] === 'get') {
      if (found.length < named.length && !has(args, '--ignore-not-found'))
        return fail(
          `Error from server (NotFound): ingresses.networking.k8s.io "${named.find((n) => !found.includes(n))}" not found\n`
        );
      return ok(found.map((n) => `ingress.networking.k8s.io/${n}\n`).join(''));
    }
    k.deletedIngresses = [...(k.deletedIngresses ?? []), ...found.map((n) => `${ns}/${n}`)];
    return ok(found.map((n) => `ingress.networking.k8s.io "${n}" deleted\n`).join(''));
  }
  if (words[0] === 'get' && /^deployments?$/.test(words[1] ?? '') && words[2]) {
    // The Deployment flyte-binary's chart renders: its labels and the annotations of the values.
    const release = Object.entries(world.helm?.releases ?? {}).find(([key, r]) => {
      const [releaseNs, name] = key.split('/');
      const fullName = name.includes('flyte-binary') ? name : `${name}-flyte-binary`;
      return releaseNs === ns && r.chart === 'flyte-binary' && fullName === words[2];
    });
    if (!release)
      return has(args, '--ignore-not-found')
        ? ok()
        : fail(`Error from server (NotFound): deployments.apps "${words[2]}" not found\n`);
    const r = release[1];
    return ok(
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: words[2],
          namespace: ns,
          labels: {
            'helm.sh/chart': `flyte-binary-${r.version}`,
            'app.kubernetes.io/version': r.appVersion ?? ''
          },
          annotations: r.values?.deployment?.annotations ?? {}
        }
      })
    );
  }
  if (words[0] === 'get' && /^configmaps?$/.test(words[1] ?? '') && words[2]) {
    const obj = k.objects[objectKey('ConfigMap', ns, words[2])];
    if (!obj)
      return has(args, '--ignore-not-found')
        ? ok()
        : fail(`Error from server (NotFound): configmaps "${words[2]}" not found\n`);
    return ok(JSON.stringify(obj));
  }
  if (words[0] === 'create' && words[1] === 'namespace') {
    k.objects[objectKey('Namespace', '', words[2])] = { kind: 'Namespace' };
    return ok(`namespace/${words[2]} created\n`);
  }
  if (words[0] === 'get' && has(args, '-o', '--output'))
    return ok(JSON.stringify({ apiVersion: 'v1', items: [] }));
  return ok();
}

/**
 * Ingresses the flyte-binary chart itself renders (RELEASE-flyte-binary-http and -grpc) while
 * its values say ingress.create, as earlier versions of the action set; less those deleted.
 */
export function liveIngresses(world, ns) {
  const deleted = new Set(world.kubectl?.deletedIngresses ?? []);
  const names = [];
  for (const [key, release] of Object.entries(world.helm?.releases ?? {})) {
    const [releaseNs, name] = key.split('/');
    if (
      releaseNs !== ns ||
      release.chart !== 'flyte-binary' ||
      release.values?.ingress?.create !== true
    )
      continue;
    const fullName = name.includes('flyte-binary') ? name : `${name}-flyte-binary`;
    for (const ingress of [`${fullName}-http`, `${fullName}-grpc`]) {
      if (!deleted.has(`${ns}/${ingress}`)) names.push(ingress);
    }
  }
  return names;
}

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);

function objectKey(kind, namespace, name) {
  return `${kind}/${CLUSTER_SCOPED.has(kind) ? '' : namespace}/${name}`;
}

/** What the API server keeps: a Secret's stringData is merged into data, base64 encoded. */
function asStored(obj) {
  if (obj.kind !== 'Secret' || !obj.stringData) return obj;
  const { stringData, ...rest } = obj;
  const data = { ...(obj.data ?? {}) };
  for (const [key, value] of Object.entries(stringData))
    data[key] = Buffer.from(String(value)).toString('base64');
  return { ...rest, data };
}

/**
 * kubectl's JSONPath for plain field paths, e.g. `{.metadata.annotations.example\.com/key}`
 * (a backslash escapes a dot in a key). Missing fields print nothing, as with `kubectl get`.
 */
function jsonPath(obj, template) {
  return template.replace(/\{([^}]*)\}/g, (_, expression) => {
    const keys = expression
      .replace(/^\./, '')
      .split(/(?<!\\)\./)
      .map((key) => key.replace(/\\\./g, '.'));
    let node = obj;
    for (const key of keys)
      node = node === null || typeof node !== 'object' ? undefined : node[key];
    if (node === undefined || node === null) return '';
    return typeof node === 'object' ? JSON.stringify(node) : String(node);
  });
}
