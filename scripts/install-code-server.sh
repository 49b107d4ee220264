#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100 with a Node extension host — the desktop code path) for
# the end-to-end journeys (test/journeys.test.ts), offline from the npm registry and Debian: its own
# install scripts download ripgrep and prebuilt binaries from GitHub, which this machine cannot reach,
# so they are skipped and the native modules are rebuilt here instead. It goes in a cache folder,
# never in the repository: $LIFERAFT_CODE_SERVER, else ~/.cache/liferaft/code-server-4.100.3.
# Needs: Debian packages libkrb5-dev (kerberos) and ripgrep, a C++ toolchain (node-gyp), about 320 MB
# and a few minutes. Running it again on a finished install does nothing.
set -euo pipefail
VERSION=4.100.3
DIR="${LIFERAFT_CODE_SERVER:-$HOME/.cache/liferaft/code-server-$VERSION}"
ENTRY="$DIR/node_modules/code-server/out/node/entry.js"
STAMP="$DIR/.liferaft-installed"

if [ -f "$STAMP" ] && [ -f "$ENTRY" ]; then
  echo "code-server $VERSION is installed in $DIR"
  exit 0
fi

need=()
[ -x /usr/bin/rg ] || need+=(ripgrep)
[ -f /usr/include/krb5.h ] || [ -f /usr/include/krb5/krb5.h ] || need+=(libkrb5-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing Debian packages: apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi

rm -rf "$DIR"
mkdir -p "$DIR"
cd "$DIR"
echo '{ "name": "liferaft-code-server", "private": true }' > package.json
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
npm install --no-audit --no-fund --ignore-scripts --loglevel=error "code-server@$VERSION"
npm rebuild --loglevel=error argon2

cd node_modules/code-server/lib/vscode
npm install --no-audit --no-fund --omit=dev --ignore-scripts --loglevel=error
# node-pty's compile_commands step fails after it has built what it needs: the terminal is not used.
npm rebuild --loglevel=error @parcel/watcher @vscode/spdlog kerberos native-watchdog @vscode/deviceid
npm rebuild --loglevel=error node-pty >/dev/null 2>&1 || true
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf /usr/bin/rg node_modules/@vscode/ripgrep/bin/rg
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)
(cd extensions && npm install --no-audit --no-fund --omit=dev --ignore-scripts --loglevel=error && node postinstall.mjs)

XDG_CONFIG_HOME="$DIR/.config" XDG_DATA_HOME="$DIR/.local-share" node "$ENTRY" --version
touch "$STAMP"
echo "code-server $VERSION is installed in $DIR"
