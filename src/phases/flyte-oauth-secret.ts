/**
 * The IAP OAuth client in a Kubernetes Secret. The client goes to the cluster on standard input:
 * never argv, never a log line.
 */
import type { Inputs } from '../inputs.js';
import type { ExecStep } from '../engine/types.js';
import {
  applyStdinArgs,
  getSecretAnnotationArgs,
  OAUTH_DIGEST_ANNOTATION,
  oauthClientDigest,
  oauthSecretManifest
} from '../tools/kubectl/args.js';

/**
 * The OAuth client goes to the cluster on standard input: never argv, never a log line. The
 * Secret carries a digest of the client, read back first, so an unchanged client is not applied.
 */
/** Reads the digest annotation of the OAuth Secret; the read-ahead runs the same. */
export function oauthSecretReadArgs(inputs: Inputs, secretName: string): string[] {
  return getSecretAnnotationArgs(secretName, inputs.namespace, OAUTH_DIGEST_ANNOTATION);
}

export function oauthSecretSteps(inputs: Inputs, secretName: string): ExecStep[] {
  const client = {
    clientId: inputs.iapOauthClientId ?? '',
    clientSecret: inputs.iapOauthClientSecret ?? ''
  };
  const wanted = oauthClientDigest(client.clientId, client.clientSecret);
  return [
    {
      kind: 'exec',
      id: 'iap-oauth-secret-read',
      title: `Read the OAuth client digest of Secret ${secretName}`,
      mutates: false,
      tool: 'kubectl',
      args: oauthSecretReadArgs(inputs, secretName),
      quiet: true,
      onResult: (result, state) => {
        state.oauthSecretDigest = result.stdout.trim();
      }
    },
    {
      kind: 'exec',
      id: 'iap-oauth-secret',
      title: `Store the IAP OAuth client in Secret ${secretName}`,
      mutates: true,
      tool: 'kubectl',
      args: applyStdinArgs(),
      stdin: oauthSecretManifest({ name: secretName, namespace: inputs.namespace, ...client }),
      quiet: true,
      when: {
        test: (state) => state.oauthSecretDigest !== wanted,
        describe: 'the Secret is missing or holds another OAuth client',
        skipped: () => `Secret ${secretName} already holds this OAuth client (its digest matches).`
      }
    }
  ];
}
