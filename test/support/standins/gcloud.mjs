// A model of the gcloud commands the action runs. The cluster exists once Terraform applied.
import { writeFileSync } from 'node:fs';
import { fail, flag, has, ok, positionals } from './args.mjs';
import { internalForwardingRules } from './forwarding-rules.mjs';
import { backendServices } from './backend-services.mjs';

const VALUED = [
  '--project',
  '--location',
  '--region',
  '--zone',
  '--format',
  '--filter',
  '--member',
  '--role',
  '--resource-type',
  '--service',
  '--oauth2-client-id',
  '--oauth2-client-secret',
  '--network'
];

export function answerGcloud({ args, world }) {
  const g = (world.gcloud ??= {});
  const words = positionals(args, VALUED);
  const cmd = words.slice(0, 3).join(' ');
  if (words[0] === 'version' || (words.length === 0 && has(args, '--version'))) {
    return has(args, '--format=json') || flag(args, '--format') === 'json'
      ? ok(
          JSON.stringify({
            'Google Cloud SDK': g.version ?? '528.0.0',
            core: '2025.06.20',
            'gke-gcloud-auth-plugin': '0.5.10',
            kubectl: '1.32.4'
          })
        )
      : ok(`Google Cloud SDK ${g.version ?? '528.0.0'}\n`);
  }
  if (words[0] === 'components') return ok('', 'All components are up to date.\n');
  if (words[0] === 'config' || words[0] === 'auth') return ok();
  if (cmd.startsWith('storage buckets')) return storage(words, args, g);
  // The action reads and deletes objects (the state lock) through the Storage JSON API; a gcloud
  // object command here means a step went back to gcloud.
  if (words[0] === 'storage' && ['cat', 'cp', 'rm', 'objects'].includes(words[1]))
    return fail(`stand-in gcloud: the action calls the Storage JSON API, not gcloud ${cmd}\n`);
  if (cmd === 'container clusters get-credentials') return credentials(words, args, world);
  if (cmd === 'secrets versions access') {
    // What the version holds, as it is (no newline): the stand-in terraform's apply wrote it.
    const data = g.secretVersions?.[words[3]];
    return data === undefined
      ? fail(
          `ERROR: (gcloud.secrets.versions.access) NOT_FOUND: Secret Version [${words[3]}] not found or has no versions.\n`
        )
      : ok(data);
  }
  if (cmd === 'compute backend-services list') {
    const list = Object.entries(backendServices(world)).map(([name, service]) => ({
      name,
      kind: 'compute#backendService',
      protocol: 'HTTP',
      description: JSON.stringify({
        'kubernetes.io/service-name': service.serviceName,
        'kubernetes.io/service-port': service.port ?? '8443',
        'x-features': ['NEG']
      }),
      ...(service.iap ? { iap: service.iap } : {})
    }));
    return ok(JSON.stringify(project(list, flag(args, '--format'))));
  }
  if (words[0] === 'iap' && words[1] === 'web') return iapWeb(words[2], args, world);
  if (cmd === 'compute forwarding-rules list') {
    return ok(JSON.stringify(internalForwardingRules(world)));
  }
  if (words[0] === 'services' || words[0] === 'projects' || words[0] === 'iam') return ok();
  return ok();
}

function storage(words, args, g) {
  const url = words[3] ?? '';
  const buckets = (g.buckets ??= {});
  const name = url.replace(/^gs:\/\//, '').replace(/\/$/, '');
  switch (words[2]) {
    case 'describe':
      return buckets[name]
        ? ok(
            JSON.stringify({
              name,
              location: buckets[name].location,
              versioning_enabled: Boolean(buckets[name].versioning),
              uniform_bucket_level_access: true
            })
          )
        : fail(`ERROR: (gcloud.storage.buckets.describe) [gs://${name}] not found: 404.\n`);
    case 'create':
      if (buckets[name])
        return fail(
          `ERROR: (gcloud.storage.buckets.create) HTTPError 409: Your previous request to create the named bucket succeeded and you already own it.\n`
        );
      buckets[name] = {
        location: flag(args, '--location') ?? 'US',
        uniform: has(args, '--uniform-bucket-level-access'),
        pap: flag(args, '--public-access-prevention') ?? has(args, '--public-access-prevention')
      };
      return ok('', `Creating gs://${name}/...\n`);
    case 'update':
      if (!buckets[name])
        return fail(`ERROR: (gcloud.storage.buckets.update) [gs://${name}] not found: 404.\n`);
      if (has(args, '--versioning')) buckets[name].versioning = true;
      return ok('', `Updating gs://${name}/...\n  Completed 1\n`);
    default:
      return ok();
  }
}

function credentials(words, args, world) {
  const name = words[3];
  const location = flag(args, '--location', '--region', '--zone');
  const project = flag(args, '--project');
  if (!world.terraform?.applied) {
    return fail(
      `ERROR: (gcloud.container.clusters.get-credentials) ResponseError: code=404, message=Not found: projects/${project}/locations/${location}/clusters/${name}.\n`
    );
  }
  const file = process.env.KUBECONFIG;
  if (!file)
    return fail('ERROR: KUBECONFIG not set (the stand-in refuses to write ~/.kube/config)\n');
  const context = `gke_${project}_${location}_${name}`;
  writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: https://34.1.2.3\n  name: ${context}\ncontexts:\n- context:\n    cluster: ${context}\n    user: ${context}\n  name: ${context}\ncurrent-context: ${context}\nusers:\n- name: ${context}\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: gke-gcloud-auth-plugin\n      provideClusterInfo: true\n`
  );
  return ok(
    '',
    `Fetching cluster endpoint and auth data.\nkubeconfig entry generated for ${name}.\n`
  );
}

/** gcloud's `--format=json(a,b.c)` projection: only the listed fields, nesting kept. */
function project(list, format) {
  const fields = /^json\((.*)\)$/.exec(format ?? '')?.[1];
  if (!fields) return list;
  return list.map((item) => {
    const out = {};
    for (const field of fields.split(',').map((f) => f.trim())) {
      const keys = field.split('.');
      let value = item;
      for (const key of keys) value = value?.[key];
      if (value === undefined) continue;
      let at = out;
      for (const key of keys.slice(0, -1)) at = at[key] ??= {};
      at[keys.at(-1)] = value;
    }
    return out;
  });
}

/** `gcloud iap web enable|get-iam-policy|add-iam-policy-binding --resource-type=backend-services`. */
function iapWeb(verb, args, world) {
  const name = flag(args, '--service');
  const service = backendServices(world)[name];
  const command = `gcloud.iap.web.${verb.replace(/-/g, '_')}`;
  if (!service)
    return fail(
      `ERROR: (${command}) NOT_FOUND: The resource 'projects/${flag(args, '--project')}/global/backendServices/${name}' was not found\n`
    );
  const policy = (service.policy ??= { bindings: [], etag: 'ACAB', version: 1 });
  switch (verb) {
    case 'enable':
      service.iap = { enabled: true, oauth2ClientId: '', oauth2ClientSecretSha256: '' };
      return ok('', `Updated IAP settings for [${name}].\n`);
    case 'get-iam-policy':
      // An empty policy is printed as its etag alone, as gcloud does.
      return ok(JSON.stringify(policy.bindings.length > 0 ? policy : { etag: policy.etag }));
    case 'add-iam-policy-binding': {
      const role = flag(args, '--role');
      const member = flag(args, '--member');
      let binding = policy.bindings.find((b) => b.role === role && !b.condition);
      if (!binding) policy.bindings.push((binding = { members: [], role }));
      if (!binding.members.includes(member)) {
        binding.members.push(member);
        binding.members.sort();
        policy.etag = `BwY${policy.bindings.reduce((n, b) => n + b.members.length, 0)}=`;
      }
      return ok(JSON.stringify(policy), `Updated IAM policy for backend service [${name}].\n`);
    }
    default:
      return ok();
  }
}
