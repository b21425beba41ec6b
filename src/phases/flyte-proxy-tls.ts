/**
 * The TLS proxy's certificate in a kubernetes.io/tls Secret. Made by the action, kept while it is
 * valid for more than RENEW_DAYS (read from an annotation, never the key), renewed otherwise. The
 * key goes to the cluster on standard input only.
 */
import type { Inputs } from '../inputs.js';
import type { TaskStep } from '../engine/types.js';
import { runChecked } from '../engine/run-checked.js';
import { applyStdinArgs, getSecretAnnotationArgs } from '../tools/kubectl/args.js';
import {
  needsNewCertificate,
  RENEW_DAYS,
  selfSignedCertificate,
  VALIDITY_DAYS
} from '../tls/self-signed.js';
import { flyteNames } from '../values/names.js';

export const NOT_AFTER_ANNOTATION = 'flyte-gke-action/not-after';

export function proxyTlsManifest(o: {
  readonly name: string;
  readonly namespace: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly notAfter: Date;
}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.namespace } },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        type: 'kubernetes.io/tls',
        metadata: {
          name: o.name,
          namespace: o.namespace,
          labels: { 'app.kubernetes.io/managed-by': 'flyte-gke-action' },
          annotations: { [NOT_AFTER_ANNOTATION]: o.notAfter.toISOString() }
        },
        stringData: { 'tls.crt': o.certPem, 'tls.key': o.keyPem }
      }
    ]
  });
}

/** Reads the certificate's expiry annotation (never the key); the read-ahead runs the same. */
export function proxyTlsReadArgs(inputs: Inputs): string[] {
  return getSecretAnnotationArgs(
    flyteNames(inputs).proxyTlsSecret,
    inputs.namespace,
    NOT_AFTER_ANNOTATION
  );
}

export function proxyTlsStep(inputs: Inputs): TaskStep {
  const names = flyteNames(inputs);
  const read = proxyTlsReadArgs(inputs);
  return {
    kind: 'task',
    id: 'proxy-tls-secret',
    title: `Keep the TLS proxy's certificate in Secret ${names.proxyTlsSecret}`,
    mutates: true,
    describe: () =>
      `$ kubectl ${read.join(' ')}\nIf the Secret is missing or its certificate expires within ${RENEW_DAYS} days: make a self-signed certificate (ECDSA P-256, ${VALIDITY_DAYS} days, SAN ${names.httpService}) and\n$ kubectl ${applyStdinArgs().join(' ')}   (the Secret on standard input, never in argv or logs)`,
    run: async (ctx) => {
      const current = await runChecked(ctx, {
        stepId: 'proxy-tls-secret',
        title: `Reading Secret ${names.proxyTlsSecret}`,
        tool: 'kubectl',
        args: read,
        quiet: true
      });
      const notAfter = current.stdout.trim();
      if (!needsNewCertificate(notAfter, new Date(ctx.clock.now()))) {
        ctx.log.info(
          `Secret ${names.proxyTlsSecret} holds a certificate valid until ${notAfter}: kept.`
        );
        return 'unchanged';
      }
      const cert = await selfSignedCertificate(names.httpService, new Date(ctx.clock.now()));
      ctx.log.setSecret(cert.keyPem);
      for (const line of cert.keyPem.split('\n')) if (line.length > 20) ctx.log.setSecret(line);
      await runChecked(ctx, {
        stepId: 'proxy-tls-secret',
        title: `Storing the proxy certificate in Secret ${names.proxyTlsSecret}`,
        tool: 'kubectl',
        args: applyStdinArgs(),
        stdin: proxyTlsManifest({
          name: names.proxyTlsSecret,
          namespace: inputs.namespace,
          ...cert
        }),
        quiet: true
      });
      ctx.log.info(
        notAfter
          ? `Renewed the proxy certificate (the old one expired ${notAfter}); valid until ${cert.notAfter.toISOString()}.`
          : `Made the proxy certificate; valid until ${cert.notAfter.toISOString()}.`
      );
    }
  };
}
