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
      const obj = doc.toJS();
      const key = `${obj.kind}/${obj.metadata?.namespace ?? ns}/${obj.metadata?.name}`;
      const before = JSON.stringify(k.objects[key] ?? null);
      const after = JSON.stringify(obj);
      k.objects[key] = obj;
      const verb = before === 'null' ? 'created' : before === after ? 'unchanged' : 'configured';
      lines.push(`${obj.kind.toLowerCase()}/${obj.metadata?.name} ${verb}`);
    }
    return ok(`${lines.join('\n')}\n`);
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
        status: { certificateStatus: status, domainStatus: [] }
      })
    );
  }
  if (words[0] === 'create' && words[1] === 'namespace') {
    k.objects[`Namespace//${words[2]}`] = { kind: 'Namespace' };
    return ok(`namespace/${words[2]} created\n`);
  }
  if (words[0] === 'get' && has(args, '-o', '--output'))
    return ok(JSON.stringify({ apiVersion: 'v1', items: [] }));
  return ok();
}
