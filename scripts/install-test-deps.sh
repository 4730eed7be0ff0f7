#!/usr/bin/env bash
# Installs what the tests need beyond npm packages, when it is missing and this machine can: Azure's Python SDK from
# Debian (python3-azure, a client of the emulator in test/integration/emulator-sdk-python.test.ts). Run by `npm test`;
# needs root and apt-get (as on CI). Elsewhere it only says what is missing: those tests then skip with a message.
set -uo pipefail
# Debian's own python3: a pyenv python3 earlier on PATH does not see Debian's packages.
if /usr/bin/python3 -c 'import azure.identity, azure.mgmt.resource, azure.mgmt.storage, azure.mgmt.network, azure.mgmt.msi' 2>/dev/null; then
  exit 0
fi
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "installing python3-azure (Debian) for the Python SDK tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-azure >/dev/null) \
    || echo "warning: could not install python3-azure; the Python SDK tests will skip" >&2
else
  echo "note: python3-azure is not installed (apt-get install python3-azure as root); the Python SDK tests will skip" >&2
fi
exit 0
