/**
 * A throwaway OpenPGP key made once per test process, standing in for HashiCorp's release key:
 * the test mirror signs the stand-in terraform_V_SHA256SUMS with it, and test-pins.ts adds its
 * public half to the keys a test run trusts (beside HashiCorp's, never instead of it).
 */
import { createMessage, generateKey, readPrivateKey, sign } from 'openpgp';

export interface TestKey {
  readonly publicKey: string;
  readonly privateKey: string;
}

export const makeTestKey = (name: string): Promise<TestKey> =>
  generateKey({
    type: 'ecc',
    userIDs: [{ name, email: 'release-test@example.invalid' }],
    format: 'armored'
  });

/** The key the test mirror signs with. */
export const TEST_RELEASE_KEY: TestKey = await makeTestKey('flyte-gke-action test release key');

/** A detached binary signature over `data`, as HashiCorp publishes `SHA256SUMS.sig`. */
export async function signDetached(data: Buffer, key: TestKey = TEST_RELEASE_KEY): Promise<Buffer> {
  const signature = await sign({
    message: await createMessage({ binary: data }),
    signingKeys: await readPrivateKey({ armoredKey: key.privateKey }),
    detached: true,
    format: 'binary'
  });
  return Buffer.from(signature);
}
