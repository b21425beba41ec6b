/**
 * Where tools come from. Every URL the installers fetch (archives, checksums, "latest" answers)
 * is a publisher URL passed through `fromSource`, so `tool-mirror` covers all of them.
 *
 * Mirror layout: the publisher's host name, then its path, under the mirror's base URL; what
 * `wget --mirror` produces. For tool-mirror https://mirror.example/tools:
 *   https://mirror.example/tools/releases.hashicorp.com/terraform/1.13.4/terraform_1.13.4_linux_amd64.zip
 *   https://mirror.example/tools/releases.hashicorp.com/terraform/1.13.4/terraform_1.13.4_SHA256SUMS
 *   https://mirror.example/tools/releases.hashicorp.com/terraform/1.13.4/terraform_1.13.4_SHA256SUMS.sig  (HashiCorp's signature; both read only for a version without a pin)
 *   https://mirror.example/tools/checkpoint-api.hashicorp.com/v1/check/terraform          (latest)
 *   https://mirror.example/tools/get.helm.sh/helm-v3.19.0-linux-amd64.tar.gz
 *   https://mirror.example/tools/get.helm.sh/helm-v3.19.0-linux-amd64.tar.gz.sha256sum
 *   https://mirror.example/tools/get.helm.sh/helm3-latest-version                          (latest)
 *   https://mirror.example/tools/dl.google.com/dl/cloudsdk/channels/rapid/downloads/google-cloud-cli-528.0.0-linux-x86_64.tar.gz
 *   https://mirror.example/tools/dl.google.com/dl/cloudsdk/channels/rapid/downloads/google-cloud-cli-528.0.0-linux-x86_64.tar.gz.sha256  (optional, see gcloud/checksums.ts)
 *   https://mirror.example/tools/dl.google.com/dl/cloudsdk/channels/rapid/components-2.json (latest)
 */

export type ToolSource = 'download' | 'mirror';

export interface Origin {
  readonly url: string;
  readonly source: ToolSource;
}

export function fromSource(publisherUrl: string, mirror: string | undefined): Origin {
  if (!mirror) return { url: publisherUrl, source: 'download' };
  const parsed = new URL(publisherUrl);
  return {
    url: `${mirror.replace(/\/+$/, '')}/${parsed.host}${parsed.pathname}${parsed.search}`,
    source: 'mirror'
  };
}

/** The runner's platform in each publisher's spelling. */
export interface Platform {
  /** `linux` or `darwin`. */
  readonly os: string;
  /** Node's name (`x64`, `arm64`), which is also the tool cache's folder name. */
  readonly arch: string;
}

export function currentPlatform(): Platform {
  if (process.platform !== 'linux' && process.platform !== 'darwin') {
    throw new Error(
      `This action installs tools on Linux and macOS runners only, not ${process.platform}.`
    );
  }
  if (process.arch !== 'x64' && process.arch !== 'arm64') {
    throw new Error(`This action installs tools for x64 and arm64 only, not ${process.arch}.`);
  }
  return { os: process.platform, arch: process.arch };
}

/** `amd64`/`arm64`, as HashiCorp and Helm name architectures. */
export function goArch(platform: Platform): string {
  return platform.arch === 'x64' ? 'amd64' : 'arm64';
}
