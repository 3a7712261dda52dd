#!/usr/bin/env bash
# Runs a command with a private Secret Service: its own D-Bus session bus and a gnome-keyring
# daemon whose keyring lives in a throw-away HOME, unlocked with a throw-away password. Tests that
# store credentials (keytar -> libsecret) use it, and never touch the developer's real keyring.
#   bash scripts/with-private-keyring.sh npx vitest run test/main
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi
for tool in dbus-run-session gnome-keyring-daemon; do
  command -v "$tool" >/dev/null || { echo "$0: $tool is missing (bash scripts/install-system-packages.sh installs it)" >&2; exit 1; }
done

private_home="$(mktemp -d "${TMPDIR:-/tmp}/mfa-desk-keyring.XXXXXX")"
cleanup() { rm -rf "$private_home"; }
trap cleanup EXIT

mkdir -p "$private_home/.local/share" "$private_home/.config" "$private_home/.cache" "$private_home/run"
chmod 700 "$private_home/run"

# The inner shell unlocks (and so creates) the login keyring, then runs the command; the daemon
# dies with the bus when dbus-run-session ends.
HOME="$private_home" \
XDG_DATA_HOME="$private_home/.local/share" \
XDG_CONFIG_HOME="$private_home/.config" \
XDG_CACHE_HOME="$private_home/.cache" \
XDG_RUNTIME_DIR="$private_home/run" \
MFA_DESK_PRIVATE_KEYRING=1 \
  dbus-run-session -- bash -c '
    echo -n "private-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec "$@"
  ' with-private-keyring "$@"
