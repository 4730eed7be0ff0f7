#!/usr/bin/env bash
# Installs what the tests need beyond npm packages, when it is missing and this machine can, from Debian:
# - python3-azure: Azure's Python SDK, a client of the emulator (test/integration/emulator-sdk-python.test.ts);
# - lua5.1 and lua5.4: run Argo CD's health check deploy/argocd/health.lua (test/e2e/gitops-health.test.ts); Argo CD's
#   own interpreter (gopher-lua) speaks Lua 5.1, lua5.4 checks the script is not tied to one version;
# - chromium: Debian's browser, driven headless by playwright-core (which downloads no browser of its own) to test the
#   web view of `azo dev` (test/e2e/web-view.test.ts). About 100 s to install on a fresh machine; skipped when present;
# - postgresql and mariadb-server: throwaway database servers (started by the test itself, in a temp directory, on a
#   loopback port) for the database User kinds (test/integration/operator-db-users.test.ts). That test fails, not
#   skips, without them. The packages' own services are not needed: policy-rc.d may refuse to start them.
# Run by `npm test`; needs root and apt-get (as on CI). Elsewhere it only says what is missing: those parts skip (the
# database User test fails instead).
set -uo pipefail
missing=()
# Debian's own python3: a pyenv python3 earlier on PATH does not see Debian's packages.
if ! /usr/bin/python3 -c 'import azure.identity, azure.mgmt.resource, azure.mgmt.storage, azure.mgmt.network, azure.mgmt.msi' 2>/dev/null; then
  missing+=(python3-azure)
fi
for lua in lua5.1 lua5.4; do
  command -v "$lua" >/dev/null || missing+=("$lua")
done
[ -x /usr/bin/chromium ] || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "installing ${missing[*]} (Debian) for the tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) \
    || echo "warning: could not install ${missing[*]}; the tests that need them will skip" >&2
else
  echo "note: ${missing[*]} not installed (apt-get install ${missing[*]} as root); the tests that need them will skip" >&2
fi
exit 0
