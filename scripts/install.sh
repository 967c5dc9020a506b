#!/usr/bin/env bash
# Installs Qinhe on Raspberry Pi OS (Debian 12 "bookworm"): user and group qinhe, directories, the systemd unit
# and the udev rules for stable serial names. Idempotent: run it again after an upgrade.
#
#   sudo scripts/install.sh [--prefix /opt/qinhe] [--technician USER] [--no-start]
#
# Run from an unpacked release (or a checkout after `npm ci`): it copies the package to PREFIX and installs
# production dependencies there. The box config goes to /etc/qinhe/qinhe.yaml and the secrets to
# /etc/qinhe/secrets.yaml (mode 0600, root): systemd hands them to the service as a credential.
set -euo pipefail

PREFIX=/opt/qinhe
TECHNICIAN=""
START=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --technician) TECHNICIAN="$2"; shift 2 ;;
    --no-start) START=0; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done

SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
die() { printf 'install: %s\n' "$*" >&2; exit 1; }

[[ $EUID -eq 0 ]] || die "run as root (sudo $0)"
command -v systemctl >/dev/null || die "systemd is required"

say "system packages (python3 for sd_notify, ffmpeg for evidence, gpiod for GPIO, nodejs >= 20.19)"
if command -v apt-get >/dev/null; then
  missing=()
  for pkg in python3 ffmpeg gpiod; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  if [[ ${#missing[@]} -gt 0 ]]; then apt-get update -q && apt-get install -y -q "${missing[@]}"; fi
fi
NODE="$(command -v node || true)"
[[ -n "$NODE" ]] || die "node not found: install Node.js 20.19 or newer (e.g. from NodeSource), then run again"
"$NODE" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "Node.js $("$NODE" --version) is too old: 20.19 or newer is required"

say "group and user qinhe"
getent group qinhe >/dev/null || groupadd --system qinhe
getent group gpio >/dev/null || groupadd --system gpio
if ! getent passwd qinhe >/dev/null; then
  useradd --system --gid qinhe --home-dir /var/lib/qinhe --no-create-home --shell /usr/sbin/nologin qinhe
fi
usermod -a -G dialout,gpio qinhe
if [[ -n "$TECHNICIAN" ]]; then
  getent passwd "$TECHNICIAN" >/dev/null || die "no user $TECHNICIAN"
  usermod -a -G qinhe "$TECHNICIAN"
  say "$TECHNICIAN may use the qinhe CLI after logging in again (group qinhe)"
fi

say "package in $PREFIX"
if [[ "$SRC" != "$PREFIX" ]]; then
  [[ -f "$SRC/dist/runtime/cli/main.js" ]] || die "$SRC has no dist/: run npm ci first"
  install -d -m 0755 "$PREFIX"
  cp -a "$SRC/package.json" "$SRC/package-lock.json" "$SRC/dist" "$SRC/config" "$SRC/systemd" "$PREFIX/"
  [[ -f "$SRC/README.md" ]] && cp -a "$SRC/README.md" "$PREFIX/"
  (cd "$PREFIX" && npm ci --omit=dev --ignore-scripts=false --no-audit --no-fund)
fi
ln -sf "$PREFIX/dist/runtime/cli/main.js" /usr/local/bin/qinhe
chmod 0755 "$PREFIX/dist/runtime/cli/main.js"

say "directories"
install -d -o root -g qinhe -m 0750 /etc/qinhe /etc/qinhe/profiles
install -d -o qinhe -g qinhe -m 0750 /var/lib/qinhe
if [[ -f /etc/qinhe/secrets.yaml ]]; then chown root:root /etc/qinhe/secrets.yaml && chmod 0600 /etc/qinhe/secrets.yaml; fi

say "udev rules (/dev/qinhe/rs485-N)"
install -m 0644 "$PREFIX/systemd/99-qinhe-serial.rules" /etc/udev/rules.d/99-qinhe-serial.rules
udevadm control --reload-rules && udevadm trigger --subsystem-match=tty || true

say "systemd unit"
sed "s#/opt/qinhe#$PREFIX#g; s#/usr/bin/node #$NODE #" "$PREFIX/systemd/qinhe.service" > /etc/systemd/system/qinhe.service
chmod 0644 /etc/systemd/system/qinhe.service
systemctl daemon-reload
systemctl enable qinhe.service >/dev/null

if [[ ! -f /etc/qinhe/qinhe.yaml ]]; then
  say "no /etc/qinhe/qinhe.yaml yet: provision it (qinhe provision ...), then: sudo qinhe check && sudo systemctl start qinhe"
elif [[ ! -f /etc/qinhe/secrets.yaml ]]; then
  say "no /etc/qinhe/secrets.yaml (LoadCredential needs it): create it with mode 0600, then: sudo systemctl start qinhe"
elif [[ $START -eq 1 ]]; then
  qinhe check --config /etc/qinhe/qinhe.yaml || say "qinhe check found problems (above); starting anyway"
  systemctl restart qinhe.service
  say "started: qinhe status"
fi
