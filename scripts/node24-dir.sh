#!/usr/bin/env bash
# Prints the folder of a Node 24 binary, to put first on PATH before `npm ci` (which refuses an
# older node: package.json engines plus engine-strict in .npmrc). The machine's own node when it is
# 24 or newer; otherwise the npm registry's `node` package at the version package-lock.json pins,
# which npm exec installs once into its cache (later calls reuse it).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$major" -ge 24 ]; then
  dirname "$(command -v node)"
  exit 0
fi

version="$(node -p "require('$root/package-lock.json').packages['node_modules/node'].version")"
# Outside the project, so its package.json and .npmrc take no part in this one install.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm exec --yes --package="node@$version" -- node -e '
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 24) throw new Error(`npm gave node ${process.version}, not 24`);
  console.log(require("node:path").dirname(process.execPath));
'
