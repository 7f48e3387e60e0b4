#!/bin/sh
# Installs Debian's Chromium for the HTML report's browser test (test/html.browser.test.ts).
# Idempotent and quiet: does nothing when /usr/bin/chromium exists. CI runs it before `npm test`.
set -eu

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: apt-get not found; install Chromium so that $CHROMIUM exists" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-browser: run as root (or install sudo) to install chromium" >&2
    exit 1
  fi
fi

# fonts-liberation: the screenshot needs real fonts, and --no-install-recommends would skip them.
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null

if [ ! -x "$CHROMIUM" ]; then
  echo "install-browser: chromium was installed but $CHROMIUM is missing" >&2
  exit 1
fi
