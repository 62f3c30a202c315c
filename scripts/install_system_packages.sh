#!/usr/bin/env bash
# The Debian packages the test suite needs, installed by the project itself:
#   chromium              the docs-site browser test (driven by Playwright, never a downloaded browser)
#   default-jre-headless  a JDK/JRE 17+ for the Spark target (pyspark's local session)
# As root with apt-get (CI, a developer's container): installs what is missing.
# Otherwise: one line naming what is missing and how to install it, exit 1.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "error: the tests need the system packages ${missing[*]}; install them (Debian: sudo apt-get install ${missing[*]}) and rerun" >&2
  exit 1
fi
