#!/usr/bin/env bash
# Installs Debian's chromium for the demo's browser test (examples/demo/test/browser.test.ts).
# playwright-core drives it and downloads no browser of its own: the browser comes from the
# distribution's packages, like the test servers. Does nothing when chromium is already there.
# Needs root (CI runs as root); without it, says so and leaves the test to skip (or fail in strict mode).
set -euo pipefail

for candidate in chromium chromium-browser; do
  if command -v "$candidate" >/dev/null 2>&1; then
    echo "chromium: $(command -v "$candidate") ($("$candidate" --version 2>/dev/null || echo 'version unknown'))"
    exit 0
  fi
done

if [ "$(id -u)" != 0 ]; then
  echo "chromium is not installed and this is not root: run 'apt-get install chromium' as root" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium is not installed and apt-get is missing: install chromium with the system's package manager" >&2
  exit 1
fi

echo "== installing chromium from Debian"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "chromium: $(command -v chromium) ($(chromium --version 2>/dev/null || echo 'version unknown'))"
