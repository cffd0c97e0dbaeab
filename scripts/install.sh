#!/bin/sh
# Installs the mcpc binary of a GitHub release for this machine (Linux with glibc or macOS,
# x86_64 or aarch64): downloads its archive and SHA256SUMS, checks the archive's SHA-256,
# and puts `mcpc` in ~/.local/bin (or <prefix>/bin).
#
#   curl -fsSL https://github.com/<owner>/<repo>/releases/latest/download/install.sh | sh
#   sh install.sh [--prefix <dir>] [--version <x.y.z>] [--base-url <url>]
#
# --base-url (or MCPC_DOWNLOAD_URL) is the folder the archives are in; by default the
# release of --version (default: the latest) of the repository the script was published with.
set -eu

repository="${MCPC_REPOSITORY:-@REPOSITORY@}"
version="${MCPC_VERSION:-latest}"
prefix="${HOME}/.local"
base_url="${MCPC_DOWNLOAD_URL:-}"

fail() {
  echo "mcpc install: $*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || fail "--prefix needs a directory"; prefix="$2"; shift 2 ;;
    --version) [ $# -ge 2 ] || fail "--version needs a version"; version="${2#v}"; shift 2 ;;
    --base-url) [ $# -ge 2 ] || fail "--base-url needs a URL"; base_url="$2"; shift 2 ;;
    -h | --help)
      echo "Usage: install.sh [--prefix <dir>] [--version <x.y.z>] [--base-url <url>]"
      echo "Installs mcpc for this machine into <dir>/bin (default ~/.local/bin), checking its SHA-256."
      exit 0
      ;;
    *) fail "unknown option $1 (see --help)" ;;
  esac
done

# The release target of this machine (scripts/release.ts RELEASE_TARGETS).
os="${MCPC_INSTALL_OS:-$(uname -s)}"
arch="${MCPC_INSTALL_ARCH:-$(uname -m)}"
case "$arch" in
  x86_64 | amd64) arch=x86_64 ;;
  aarch64 | arm64) arch=aarch64 ;;
  *) fail "no mcpc binary for the $arch processor (x86_64 and aarch64 have one)" ;;
esac
case "$os" in
  Linux)
    if [ -z "${MCPC_INSTALL_OS:-}" ] && ldd --version 2>&1 | grep -qi musl; then
      fail "the Linux binaries need glibc; this system has musl (Alpine?): use a glibc image, or the Docker image"
    fi
    target="$arch-unknown-linux-gnu"
    ;;
  Darwin) target="$arch-apple-darwin" ;;
  *) fail "no install script for $os: download the archive for it from the release page" ;;
esac

if [ -z "$base_url" ]; then
  case "$repository" in
    @*@) fail "this copy of the script names no repository: pass --base-url <url>, or set MCPC_REPOSITORY=<owner>/<repo>" ;;
  esac
  if [ "$version" = latest ]; then
    base_url="https://github.com/$repository/releases/latest/download"
  else
    base_url="https://github.com/$repository/releases/download/v$version"
  fi
fi
base_url="${base_url%/}"

download() { # <url> <file>
  if command -v curl >/dev/null 2>&1; then
    curl -fsSL --retry 2 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -O "$2" "$1"
  else
    fail "neither curl nor wget is installed"
  fi
}

sha256() { # <file>
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d ' ' -f 1
  else
    fail "neither sha256sum nor shasum is installed to check the download"
  fi
}

work="$(mktemp -d 2>/dev/null || mktemp -d -t mcpc-install)"
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

download "$base_url/SHA256SUMS" "$work/SHA256SUMS" || fail "cannot download $base_url/SHA256SUMS"
line="$(grep -E "^[0-9a-f]{64}  mcpc-[^ ]*-$target\.tar\.gz$" "$work/SHA256SUMS" | head -n 1 || true)"
[ -n "$line" ] || fail "the release at $base_url has no archive for $target"
expected="${line%% *}"
archive="${line##* }"
found_version="${archive#mcpc-}"
found_version="${found_version%-"$target".tar.gz}"
if [ "$version" != latest ] && [ "$found_version" != "$version" ]; then
  fail "the release at $base_url is mcpc $found_version, not $version"
fi

echo "Downloading $archive"
download "$base_url/$archive" "$work/$archive" || fail "cannot download $base_url/$archive"
actual="$(sha256 "$work/$archive")"
[ "$actual" = "$expected" ] ||
  fail "the SHA-256 of $archive is $actual, not $expected as SHA256SUMS says: not installed"

mkdir -p "$work/unpacked"
tar -xzf "$work/$archive" -C "$work/unpacked" || fail "cannot unpack $archive"
[ -f "$work/unpacked/mcpc" ] || fail "$archive holds no mcpc binary"
mkdir -p "$prefix/bin" || fail "cannot create $prefix/bin"
# Replaced atomically: a running mcpc keeps its old file.
if ! { cp "$work/unpacked/mcpc" "$prefix/bin/.mcpc.new" && chmod 755 "$prefix/bin/.mcpc.new" &&
  mv -f "$prefix/bin/.mcpc.new" "$prefix/bin/mcpc"; }; then
  fail "cannot install to $prefix/bin/mcpc"
fi

echo "Installed mcpc $found_version to $prefix/bin/mcpc"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "Add it to your PATH:  export PATH=\"$prefix/bin:\$PATH\"" ;;
esac
echo "Next: mcpc connect <server> @name   (mcpc --help lists every command)"
