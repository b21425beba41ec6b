// A model of the gcloud commands the action runs. The cluster exists once Terraform applied.
import { writeFileSync } from 'node:fs';
import { fail, flag, flags, has, ok, positionals } from './args.mjs';

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
  '--oauth2-client-secret'
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
  if (cmd === 'container clusters get-credentials') return credentials(words, args, world);
  if (cmd === 'compute backend-services list') {
    const releases = Object.keys(world.helm?.releases ?? {});
    const list = releases
      .filter(
        (key) => !key.endsWith('/flyte-gke') && world.helm.releases[key].chart === 'flyte-binary'
      )
      .map((key) => {
        const [ns, name] = key.split('/');
        return {
          name: `k8s1-0a1b2c3d-${ns}-${name}-flyte-binary-http-8088-4e5f6a7b`,
          kind: 'compute#backendService',
          protocol: 'HTTP',
          iap: { enabled: Boolean(g.iapEnabled) }
        };
      });
    return ok(JSON.stringify(list));
  }
  if (words[0] === 'iap') {
    if (words.includes('enable')) {
      g.iapEnabled = true;
      return ok('', `Updated IAP settings for [${flag(args, '--service')}].\n`);
    }
    if (words.includes('add-iam-policy-binding')) {
      const member = flag(args, '--member');
      g.iapMembers = [...new Set([...(g.iapMembers ?? []), member])];
      return ok(
        JSON.stringify({
          bindings: [{ role: flag(args, '--role'), members: g.iapMembers }],
          etag: 'BwY=',
          version: 1
        })
      );
    }
    return ok();
  }
  if (words[0] === 'services' || words[0] === 'projects' || words[0] === 'iam') return ok();
  void flags;
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
