/**
 * The `client-config` output for Flyte 2, read by the `flyte` SDK's own config loader: its
 * src/flyte/config/_reader.py and _internal.py from the flyteorg/flyte-sdk mirror, run by this
 * machine's Python (with PyYAML, which is all they import besides the SDK's logger), and the
 * endpoint passed through the SDK's normalize_rpc_endpoint (auth/_session.py). Without the mirror
 * or Python the file is skipped and says so.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { flyte2ClientConfigYaml } from '../src/flyte2/client-config.js';
import { flyteAccess } from '../src/values/access.js';
import { flyteInputs, IAP_INPUTS, tfOutputs } from './support/flyte-fixtures.js';

const SDK = '/work/.mirror/flyteorg+flyte-sdk/repo';
const python = spawnSync('python3', ['-c', 'import yaml'], { encoding: 'utf8' });
const ready = existsSync(SDK) && python.status === 0;
if (!ready) {
  console.warn(
    `SKIPPED the flyte SDK loader checks: ${existsSync(SDK) ? 'python3 with PyYAML is not on this machine' : `the flyteorg/flyte-sdk mirror ${SDK} is absent`}.`
  );
}
const describeWithSdk = ready ? describe : describe.skip;

/** What the SDK reads from a config file: the entries PlatformConfig.auto and TaskConfig.auto use. */
const READER = `
import ast, json, sys, os
sys.path.insert(0, sys.argv[1])
for k in list(os.environ):
    if k.startswith("FLYTE_"):
        del os.environ[k]
from flyte.config._reader import ConfigFile
from flyte.config import _internal as i
cfg = ConfigFile(sys.argv[2])
src = open(sys.argv[3]).read()
fn = next(n for n in ast.parse(src).body if isinstance(n, ast.FunctionDef) and n.name == "normalize_rpc_endpoint")
scope = {}
exec("from urllib.parse import urlparse\\n" + ast.get_source_segment(src, fn), scope)
endpoint = i.Platform.URL.read(cfg)
insecure = i.Platform.INSECURE.read(cfg)
print(json.dumps({
  "endpoint": endpoint,
  "insecure": insecure,
  "url": scope["normalize_rpc_endpoint"](endpoint, insecure=bool(insecure)),
  "proxy_command": i.Credentials.PROXY_COMMAND.read(cfg),
  "auth_type": i.Credentials.AUTH_MODE.read(cfg),
  "project": i.Task.PROJECT.read(cfg),
  "domain": i.Task.DOMAIN.read(cfg),
}))
`;

describeWithSdk("client-config read by the flyte SDK's own loader", () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'flyte-sdk-'));
    const show = (file: string) =>
      execFileSync('git', ['-C', SDK, 'show', `HEAD:${file}`], { encoding: 'utf8' });
    mkdirSync(path.join(dir, 'pkg', 'flyte', 'config'), { recursive: true });
    // The SDK's package __init__ files pull in all of it; the two loader modules need only these.
    writeFileSync(path.join(dir, 'pkg', 'flyte', '__init__.py'), '');
    writeFileSync(
      path.join(dir, 'pkg', 'flyte', '_logging.py'),
      'import logging\nlogger = logging.getLogger("flyte")\n'
    );
    writeFileSync(path.join(dir, 'pkg', 'flyte', 'config', '__init__.py'), '');
    for (const name of ['_reader.py', '_internal.py']) {
      writeFileSync(
        path.join(dir, 'pkg', 'flyte', 'config', name),
        show(`src/flyte/config/${name}`)
      );
    }
    writeFileSync(path.join(dir, 'session.py'), show('src/flyte/remote/_client/auth/_session.py'));
    writeFileSync(path.join(dir, 'read.py'), READER);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const load = (yaml: string) => {
    const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, yaml);
    const out = execFileSync(
      'python3',
      [path.join(dir, 'read.py'), path.join(dir, 'pkg'), file, path.join(dir, 'session.py')],
      { encoding: 'utf8' }
    );
    return JSON.parse(out) as Record<string, unknown>;
  };

  it('behind IAP: https to the domain, the flyte-iap proxy command as a list, the default project', () => {
    const inputs = flyteInputs({ 'flyte-version': '2', ...IAP_INPUTS });
    const access = flyteAccess(inputs, tfOutputs());
    expect(load(access.clientConfig)).toEqual({
      endpoint: 'dns:///203.0.113.7.sslip.io',
      insecure: false,
      url: 'https://203.0.113.7.sslip.io',
      proxy_command: [
        'flyte-iap',
        'generate-user-id-token',
        '--desktop_client_id',
        'DESKTOP_CLIENT_ID',
        '--desktop_client_secret_gcp_secret_name',
        'DESKTOP_CLIENT_SECRET_NAME',
        '--webapp_client_id',
        '123456789012-abc.apps.googleusercontent.com',
        '--project',
        'acme-flyte'
      ],
      // No Flyte OAuth: the SDK adds no token of its own until the server asks for one.
      auth_type: null,
      project: 'flytesnacks',
      domain: 'development'
    });
  });

  it('without the Ingress: plain HTTP to the port-forward of the manager', () => {
    const inputs = flyteInputs({ 'flyte-version': '2', 'flyte-projects': 'ml, etl' });
    const loaded = load(flyteAccess(inputs, tfOutputs()).clientConfig);
    expect(loaded).toMatchObject({
      endpoint: 'localhost:8090',
      insecure: true,
      url: 'http://localhost:8090',
      proxy_command: null,
      project: 'ml'
    });
  });

  it('the loader check itself sees a misspelt key', () => {
    const good = flyte2ClientConfigYaml(
      flyteInputs({ 'flyte-version': '2', ...IAP_INPUTS }),
      'x.example.com'
    );
    expect(load(good.replace('proxyCommand', 'proxy_command')).proxy_command).toBeNull();
  });
});
