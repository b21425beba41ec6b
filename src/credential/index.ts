/**
 * The kubeconfig's exec credential plugin (bundled as dist/credential/index.js):
 *   node index.js --credentials FILE --token-cache FILE
 * prints an ExecCredential for kubectl and Helm, or a one-line reason on stderr and exits 1.
 */
import { authClientFromFile } from '../gcp/credentials.js';
import { endpoints } from '../gcp/endpoints.js';
import { execCredential } from './exec-credential.js';

function option(args: readonly string[], name: string): string {
  const at = args.indexOf(name);
  const value = at >= 0 ? args[at + 1] : undefined;
  if (!value) throw new Error(`${name} FILE is required.`);
  return value;
}

try {
  const args = process.argv.slice(2);
  const credentialsFile = option(args, '--credentials');
  const output = await execCredential({
    auth: () => authClientFromFile(credentialsFile, endpoints(process.env)),
    tokenCache: option(args, '--token-cache'),
    now: () => Date.now()
  });
  process.stdout.write(`${output}\n`);
} catch (error) {
  process.stderr.write(
    `flyte-gke credential plugin: no token for the cluster: ${(error as Error).message}\n`
  );
  process.exitCode = 1;
}
