/**
 * SHA-256 of every tool archive the action installs without `allow-unpinned-tools`, by the
 * archive's file name (which names the tool, version and platform; kubectl's download is always
 * called `kubectl`, so its rows are named `kubectl-vVERSION-OS-ARCH`, see kubectl/install.ts). A download, and every later
 * use of the tool cache entry made from it, must match the row: a mirror, a cache entry or a
 * checksum file beside either cannot change what runs. `scripts/refresh-pins.mjs VERSION...`
 * prints new rows from each publisher's checksum files; check them before committing.
 */
export const TOOL_PINS: Readonly<Record<string, string>> = {
  // terraform 1.13.4: HashiCorp's own Homebrew tap formula (hashicorp/homebrew-tap,
  // Formula/terraform.rb), which copies terraform_1.13.4_SHA256SUMS.
  'terraform_1.13.4_linux_amd64.zip':
    '98aa516201e948306698efd9954ab4cc0d1227c2578ba56245898b5f679e590b',
  'terraform_1.13.4_linux_arm64.zip':
    'a17bde150a4d6c9e7ece063ab634c07723b8242e078f3ae9017486277d6690c4',
  'terraform_1.13.4_darwin_amd64.zip':
    '0a4441f6aaf37bb18cbaf5c7538f9be638f0d93eb325d285b4b452d014a7737a',
  'terraform_1.13.4_darwin_arm64.zip':
    '6b9e2ff8102c469added7be28cd5cfc2c5a8f7fc3be2df8fe9ee5458d84a1305',
  // helm 3.19.0: get.helm.sh/helm-v3.19.0-OS-ARCH.tar.gz.sha256sum, as several public build
  // files that verify the download before unpacking repeat it.
  'helm-v3.19.0-linux-amd64.tar.gz':
    'a7f81ce08007091b86d8bd696eb4d86b8d0f2e1b9f6c714be62f82f96a594496',
  'helm-v3.19.0-linux-arm64.tar.gz':
    '440cf7add0aee27ebc93fada965523c1dc2e0ab340d4348da2215737fc0d76ad',
  // kubectl 1.36.1: dl.k8s.io/release/v1.36.1/bin/linux/ARCH/kubectl.sha256, as several
  // independent public build files (Dockerfiles, Makefiles, install scripts) that verify the
  // binary before installing it repeat it.
  'kubectl-v1.36.1-linux-amd64': '629d3f410e09bf49b64ae7079f7f0bda1191efed311f7d37fdbab0ad5b0ec2b7',
  'kubectl-v1.36.1-linux-arm64': '59f7ee8e477fae658447607dc3c8790ac17a1b016c01c622c12070e969e2d4e7',
  // gcloud: Google publishes no checksum file; see gcloud/install.ts.
  // 588.0.0 (the default): a public install script that verifies it before unpacking.
  'google-cloud-cli-588.0.0-linux-x86_64.tar.gz':
    'e38ceac43022bb5a4d94d5a4a9c9c51f90f28c910b59a018ae07011e220c4412',
  // 531.0.0: a public build rule that copied it from Google's versioned-archives page.
  'google-cloud-cli-531.0.0-linux-x86_64.tar.gz':
    'ad1a0fca18ad21ac163c949b8490e4a3fc6c77a9643da7c5e60dc767bb48044c',
  // 575.0.1: a public configuration pinning these archives.
  'google-cloud-cli-575.0.1-linux-x86_64.tar.gz':
    '38198fa76b1aa64a332fadca7dba45f96c6dbb5cd9e77f173f9d6a65443e37ab',
  'google-cloud-cli-575.0.1-linux-arm.tar.gz':
    'e5c3a354d4c5775eccede626746547d6d3dc3f59db350f62f05dbc604eec5e3f'
};
