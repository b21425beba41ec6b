/**
 * A terraform version without a pin (allow-unpinned-tools) is checked against
 * terraform_V_SHA256SUMS only once HashiCorp's signature on it (`.sig`) verifies against the key
 * in the action's source. Attacks: a mirror signing with its own key, a SHA256SUMS rewritten to
 * match a swapped archive, a missing signature; and the test hook that adds a test key cannot
 * take HashiCorp's key away or be turned on in GitHub Actions. Also the embedded key itself, and
 * the expiry semantics (the key must have been valid when it signed).
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMessage, generateKey, readKey, readPrivateKey, reformatKey, sign } from 'openpgp';
import { installAndRecord, type InstallDeps } from '../src/tools/download.js';
import { pinTable, SHIPPED_PINS } from '../src/tools/pins/pin-table.js';
import {
  HASHICORP_RELEASE_KEY,
  HASHICORP_RELEASE_KEY_FINGERPRINT
} from '../src/tools/pins/release-keys.js';
import { verifyDetachedSignature } from '../src/tools/release-signature.js';
import { currentPlatform } from '../src/tools/sources.js';
import { terraformRecipe } from '../src/tools/terraform/install.js';
import { buildArchive, Mirror, publish } from './support/mirror.js';
import { type TestContext } from './support/task-context.js';
import { useToolMirror } from './support/tool-mirror.js';
import { testPins } from './support/test-pins.js';
import { makeTestKey, TEST_RELEASE_KEY, type TestKey } from './support/test-release-key.js';

const platform = currentPlatform();
const tools = useToolMirror();
let mirror: Mirror;
let attacker: TestKey;
beforeAll(async () => {
  mirror = tools.mirror;
  attacker = await makeTestKey('a mirror that signs its own files');
});

const context = (version: string): TestContext =>
  tools.context({ 'terraform-version': version, 'allow-unpinned-tools': 'true' });

const deps = (ctx: TestContext, releaseKeys = testPins().releaseKeys): InstallDeps =>
  tools.deps(ctx, { allowUnpinned: true, releaseKeys });

const install = (ctx: TestContext, d = deps(ctx)) =>
  installAndRecord(terraformRecipe, ctx.inputs.tools.terraform, d);

const sumsPath = (version: string) =>
  `/releases.hashicorp.com/terraform/${version}/terraform_${version}_SHA256SUMS`;
const zipRequests = (version: string) =>
  mirror
    .requestsFor(`/terraform/${version}/terraform_${version}_`)
    .filter((r) => r.path.endsWith('.zip'));
const installed = (ctx: TestContext) =>
  existsSync(
    path.join(
      ctx.env.RUNNER_TOOL_CACHE ?? '',
      'terraform',
      ctx.inputs.tools.terraform.kind === 'pinned' ? ctx.inputs.tools.terraform.version : '',
      platform.arch
    )
  );

describe("HashiCorp's signature on terraform_V_SHA256SUMS", () => {
  it('a SHA256SUMS signed by a trusted key installs, and the log says whose key signed it', async () => {
    publish(mirror, terraformRecipe, buildArchive('terraform', '1.11.1', platform), platform, {
      pin: false
    });
    const ctx = context('1.11.1');
    const tool = await install(ctx);
    expect(tool.source).toBe('mirror');
    expect(mirror.requestsFor(`${sumsPath('1.11.1')}.sig`)).toHaveLength(1);
    // The throwaway key is not HashiCorp's, and the run says so.
    expect(ctx.log.lines.join('\n')).toContain('terraform_1.11.1_SHA256SUMS is signed by ');
    expect(ctx.log.lines.join('\n')).toContain("NOT HashiCorp's release key");
  });

  it('a signature by another key is refused before the archive is downloaded', async () => {
    publish(mirror, terraformRecipe, buildArchive('terraform', '1.11.2', platform), platform, {
      pin: false,
      signWith: attacker
    });
    const ctx = context('1.11.2');
    await expect(install(ctx)).rejects.toThrow(
      `terraform 1.11.2: the signature ${mirror.url}${sumsPath('1.11.2')}.sig does not verify ${mirror.url}${sumsPath('1.11.2')} against HashiCorp's release key (C874 011F 0AB4 0511 0D02 1055 3436 5D94 72D7 468F)`
    );
    await expect(install(context('1.11.2'))).rejects.toThrow(
      /Set terraform-version to a version pinned in the action \(such as 1\.13\.4\), or make tool-mirror serve HashiCorp's terraform_1\.11\.2_SHA256SUMS and terraform_1\.11\.2_SHA256SUMS\.sig unchanged\./
    );
    expect(zipRequests('1.11.2')).toEqual([]);
    expect(installed(ctx)).toBe(false);
  });

  it('a SHA256SUMS rewritten to match a swapped archive no longer matches its signature', async () => {
    publish(mirror, terraformRecipe, buildArchive('terraform', '1.11.3', platform), platform, {
      pin: false,
      sumsRewritten: true
    });
    const ctx = context('1.11.3');
    await expect(install(ctx)).rejects.toThrow(
      /terraform 1\.11\.3: the signature .* does not verify .*terraform_1\.11\.3_SHA256SUMS against HashiCorp's release key .*: Signed digest did not match\. Nothing was installed/
    );
    expect(zipRequests('1.11.3')).toEqual([]);
  });

  it('a missing .sig is one clear error naming the version, the URL and the fix', async () => {
    publish(mirror, terraformRecipe, buildArchive('terraform', '1.11.4', platform), platform, {
      pin: false,
      signWith: false
    });
    const ctx = context('1.11.4');
    await expect(install(ctx)).rejects.toThrow(
      `terraform 1.11.4: ${mirror.url}${sumsPath('1.11.4')}.sig is missing (HTTP 404), so terraform_1.11.4_SHA256SUMS cannot be shown to be signed by HashiCorp's release key (C874 011F 0AB4 0511 0D02 1055 3436 5D94 72D7 468F); nothing was installed. HashiCorp publishes a .sig for every release. Set terraform-version to a version pinned in the action (such as 1.13.4), or make tool-mirror serve`
    );
    expect(zipRequests('1.11.4')).toEqual([]);
  });

  it('with only the shipped key, a signature by the test key is refused', async () => {
    publish(mirror, terraformRecipe, buildArchive('terraform', '1.11.5', platform), platform, {
      pin: false
    });
    const ctx = context('1.11.5');
    await expect(install(ctx, deps(ctx, SHIPPED_PINS.releaseKeys))).rejects.toThrow(
      /does not verify .* Could not find signing key with key ID/
    );
  });
});

describe('the keys a run trusts', () => {
  const pinsFile = (keys: string[]) => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'pins-')), 'pins.json');
    writeFileSync(file, JSON.stringify({ releaseKeys: keys }));
    return file;
  };

  it("a test pins file adds keys beside HashiCorp's, never in its place, and is ignored in GitHub Actions", () => {
    const file = pinsFile([TEST_RELEASE_KEY.publicKey]);
    expect(pinTable({ FLYTE_GKE_TEST_PINS: file }).releaseKeys).toEqual([
      HASHICORP_RELEASE_KEY,
      TEST_RELEASE_KEY.publicKey
    ]);
    expect(pinTable({ FLYTE_GKE_TEST_PINS: file, GITHUB_ACTIONS: 'true' }).releaseKeys).toEqual([
      HASHICORP_RELEASE_KEY
    ]);
    expect(pinTable({}).releaseKeys).toEqual([HASHICORP_RELEASE_KEY]);
  });

  it("the embedded key is HashiCorp's C874 011F 0AB4 0511 0D02 1055 3436 5D94 72D7 468F, with a signing subkey valid now", async () => {
    const key = await readKey({ armoredKey: HASHICORP_RELEASE_KEY });
    expect(key.getFingerprint().toUpperCase()).toBe('C874011F0AB405110D02105534365D9472D7468F');
    expect(HASHICORP_RELEASE_KEY_FINGERPRINT).toBe(key.getFingerprint().toUpperCase());
    expect(key.isPrivate()).toBe(false);
    expect(await key.isRevoked()).toBe(false);
    const signing = await key.getSigningKey();
    expect(signing.getFingerprint().toUpperCase()).toBe('374EC75B485913604A831CC7C820C6D5CD27AB87');
    expect(key.users.map((u) => u.userID?.email)).toEqual(['security@hashicorp.com']);
  });
});

describe('key expiry: the key must have been valid when it signed', () => {
  const DAY = 24 * 3600 * 1000;
  const data = Buffer.from('0123  terraform_9.9.9_linux_amd64.zip\n');
  const expiring = (created: Date) =>
    generateKey({
      type: 'ecc',
      userIDs: [{ name: 'a key that expired' }],
      date: created,
      keyExpirationTime: 10 * 24 * 3600,
      format: 'armored'
    });
  const signAt = async (privateKey: string, date: Date) =>
    Buffer.from(
      await sign({
        message: await createMessage({ binary: data }),
        signingKeys: await readPrivateKey({ armoredKey: privateKey }),
        detached: true,
        format: 'binary',
        date
      })
    );

  it('a signature made while the key was valid still verifies after the key expired', async () => {
    const created = new Date(Date.now() - 100 * DAY);
    const key = await expiring(created);
    const signature = await signAt(key.privateKey, new Date(created.getTime() + DAY));
    const signer = await verifyDetachedSignature(data, signature, [key.publicKey]);
    expect(signer.hashicorp).toBe(false);
    expect(signer.created.getTime()).toBe(Math.floor((created.getTime() + DAY) / 1000) * 1000);
  });

  it('a signature dated after the key expired, or in the future, is refused', async () => {
    const created = new Date(Date.now() - 100 * DAY);
    // openpgp will not sign with an expired key, so sign on day 20 with the same key before it
    // had an expiry, then give it (self-signatures dated day 0) one that ends on day 10.
    const unlimited = await generateKey({
      type: 'ecc',
      userIDs: [{ name: 'a key that expired' }],
      date: created,
      format: 'armored'
    });
    const late = await signAt(unlimited.privateKey, new Date(created.getTime() + 20 * DAY));
    const expired = await reformatKey({
      privateKey: await readPrivateKey({ armoredKey: unlimited.privateKey }),
      userIDs: [{ name: 'a key that expired' }],
      keyExpirationTime: 10 * 24 * 3600,
      date: created,
      format: 'armored'
    });
    await expect(verifyDetachedSignature(data, late, [unlimited.publicKey])).resolves.toBeTruthy();
    await expect(verifyDetachedSignature(data, late, [expired.publicKey])).rejects.toThrow(
      /expired/
    );
    const fresh = await makeTestKey('a key signing ahead of time');
    const ahead = await signAt(fresh.privateKey, new Date(Date.now() + 10 * DAY));
    await expect(verifyDetachedSignature(data, ahead, [fresh.publicKey])).rejects.toThrow(
      /in the future/
    );
  });
});
