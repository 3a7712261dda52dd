#!/usr/bin/env bash
# System packages the tests need, from Debian: a PostgreSQL server for the private test cluster,
# and independent checkers for the authenticator-app tests (zbarimg decodes the QR, oathtool
# computes codes, rsvg-convert renders the SVG QR to PNG, pdftoppm renders a printed sheet PDF). Idempotent; run as root (CI) or via sudo.
set -euo pipefail

# The console's tests add: Debian's Chromium (Playwright drives it; no browser download), libsecret
# headers (keytar builds from source), and a Secret Service of their own (gnome-keyring on a private
# D-Bus session, scripts/with-private-keyring.sh) with secret-tool to look inside it.
packages=(postgresql zbar-tools oathtool librsvg2-bin poppler-utils chromium libsecret-1-dev gnome-keyring dbus dbus-x11 libsecret-tools)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
echo "system packages: installing ${missing[*]}"
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" || {
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
}
