#!/usr/bin/env bash
# Installs the Debian packages that ngcpctl builds against, when any is missing.
set -euo pipefail

packages=(libyaml-dev libcurl4-openssl-dev libgit2-dev libmicrohttpd-dev libsqlite3-dev
    pkg-config python3)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing Debian packages: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
        echo "error: missing packages ${missing[*]}; run as root or install sudo" >&2
        exit 1
    fi
    sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
