#!/usr/bin/env bash
# Installs every Debian 12 package Ferrite's build, tests and demo need — idempotently: packages
# already present are left alone, and nothing is fetched when all are there. Needs root (or sudo).
set -euo pipefail
PKGS=(cmake make g++ libonnx-dev libprotobuf-dev protobuf-compiler libfmt-dev catch2 libcli11-dev
      nlohmann-json3-dev libonnx-testdata gcc-arm-none-eabi libnewlib-arm-none-eabi
      libstdc++-arm-none-eabi-newlib qemu-system-arm python3 python3-numpy python3-onnx valgrind dataset-fashion-mnist chromium
      libflatbuffers-dev python3-flatbuffers llvm-14-tools zlib1g-dev
      python3-torch python3-torchvision)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#PKGS[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "install_deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}"
