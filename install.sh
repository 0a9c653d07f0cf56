#!/bin/sh
# Installs the claude-code-sync command (a single executable) on macOS or Linux.
#
#   curl -fsSL https://github.com/claude-code-sync/claude-code-sync/releases/latest/download/install.sh | sh
#   curl -fsSL .../install.sh | sh -s -- --version 0.2.0      (wget -qO- works as well as curl -fsSL)
#
# Settings (environment):
#   CLAUDE_CODE_SYNC_VERSION       version to install (same as --version); default: the latest release
#   CLAUDE_CODE_SYNC_INSTALL_DIR   folder to install into; default: ~/.local/bin
#   CLAUDE_CODE_SYNC_DOWNLOAD_URL  folder holding one release's files (SHA256SUMS and the archives),
#                                  used instead of the GitHub release, e.g. a mirror
#   CLAUDE_CODE_SYNC_RELEASES_URL  base of a mirror of all releases, laid out as GitHub's:
#                                  <base>/latest/download/<file>, <base>/download/v<version>/<file>
#
# The archive's SHA-256 must match the release's SHA256SUMS, or nothing is installed.
# Everything runs from main, called on the last line, so that a download cut
# short while piping into sh runs nothing.
set -eu

REPO="claude-code-sync/claude-code-sync"
NAME="claude-code-sync"

say() { printf '%s\n' "$*"; }
die() {
	printf 'claude-code-sync install: %s\n' "$*" >&2
	exit 1
}
has() { command -v "$1" >/dev/null 2>&1; }

usage() {
	say "Usage: install.sh [--version X]"
	say "Installs $NAME into \$CLAUDE_CODE_SYNC_INSTALL_DIR (default ~/.local/bin)."
	say "Through a pipe: curl -fsSL <url>/install.sh | sh -s -- --version X"
}

# True when the system's C library is musl (Alpine and the like). A glibc
# system can have musl installed beside it, so ask ldd before looking for the
# musl loader.
is_musl() {
	ldd_says="$(ldd --version 2>&1 || true)"
	case "$ldd_says" in
	*musl*) return 0 ;;
	*GNU* | *GLIBC* | *glibc*) return 1 ;;
	esac
	for loader in /lib/ld-musl-*; do
		[ -e "$loader" ] && return 0
	done
	return 1
}

# Prints the release target for this machine, as named in the archives.
detect_target() {
	os="$(uname -s)"
	cpu="$(uname -m)"
	case "$os" in
	Linux) os=linux ;;
	Darwin) os=darwin ;;
	MINGW* | MSYS* | CYGWIN* | Windows_NT)
		die "on Windows, install with npm (npm install -g $NAME) or download the .zip from https://github.com/$REPO/releases"
		;;
	*) die "no build for $os; the builds are for macOS, Linux and Windows (see https://github.com/$REPO/releases)" ;;
	esac
	case "$cpu" in
	x86_64 | amd64) cpu=x64 ;;
	aarch64 | arm64) cpu=arm64 ;;
	*) die "no build for the $cpu processor; the builds are for x64 and arm64" ;;
	esac
	# A shell under Rosetta 2 reports x86_64 on Apple silicon: take the native build.
	if [ "$os" = darwin ] && [ "$cpu" = x64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null || true)" = 1 ]; then
		cpu=arm64
	fi
	if [ "$os" = linux ]; then
		if is_musl; then
			say "linux-$cpu-musl"
			return
		fi
		if [ "$cpu" = x64 ] && [ -r /proc/cpuinfo ] && ! grep -q -w avx2 /proc/cpuinfo; then
			say "linux-x64-baseline"
			return
		fi
	fi
	say "$os-$cpu"
}

download() { # url file
	if has curl; then
		curl -fsSL --retry 2 -o "$2" "$1"
	elif has wget; then
		wget -q -O "$2" "$1"
	else
		die "needs curl or wget to download; install one of them and run again"
	fi
}

sha256() {
	if has sha256sum; then
		sha256sum "$1" | cut -d ' ' -f 1
	elif has shasum; then
		shasum -a 256 "$1" | cut -d ' ' -f 1
	elif has openssl; then
		openssl dgst -sha256 "$1" | sed 's/^.*= *//'
	else
		die "needs sha256sum, shasum or openssl to check the download; install one of them and run again"
	fi
}

# Says how to put $1 on PATH, or warns when another claude-code-sync comes first.
advise_path() {
	case ":$PATH:" in
	*":$1:"* | *":$1/:"*)
		found="$(command -v "$NAME" || true)"
		case "$found" in
		"" | "$1/$NAME" | "$1//$NAME") ;;
		*) say "Note: another $NAME at $found comes first in your PATH; remove it or put $1 before it." ;;
		esac
		return
		;;
	esac
	say ""
	say "$1 is not in your PATH. To add it:"
	case "${SHELL:-}" in
	*/zsh) say "  echo 'export PATH=\"$1:\$PATH\"' >> ~/.zshrc && exec zsh" ;;
	*/bash)
		rc=.bashrc
		[ "$(uname -s)" = Darwin ] && rc=.bash_profile
		say "  echo 'export PATH=\"$1:\$PATH\"' >> ~/$rc && exec bash"
		;;
	*/fish) say "  fish_add_path $1" ;;
	*) say "  add  export PATH=\"$1:\$PATH\"  to ~/.profile, then log in again" ;;
	esac
}

main() {
	version="${CLAUDE_CODE_SYNC_VERSION:-}"
	while [ $# -gt 0 ]; do
		case "$1" in
		--version)
			[ $# -ge 2 ] || die "--version needs a value, e.g. --version 0.2.0"
			version="$2"
			shift 2
			;;
		--version=*)
			version="${1#--version=}"
			shift
			;;
		-h | --help)
			usage
			exit 0
			;;
		*) die "unknown option \"$1\" (see --help)" ;;
		esac
	done
	version="${version#v}"

	target="$(detect_target)"
	archive="$NAME-$target.tar.gz"
	if [ -n "${CLAUDE_CODE_SYNC_DOWNLOAD_URL:-}" ]; then
		base="${CLAUDE_CODE_SYNC_DOWNLOAD_URL%/}"
	else
		releases="${CLAUDE_CODE_SYNC_RELEASES_URL:-https://github.com/$REPO/releases}"
		releases="${releases%/}"
		if [ -n "$version" ]; then
			base="$releases/download/v$version"
		else
			base="$releases/latest/download"
		fi
	fi
	install_dir="${CLAUDE_CODE_SYNC_INSTALL_DIR:-${HOME:?is not set: set CLAUDE_CODE_SYNC_INSTALL_DIR}/.local/bin}"

	tmp="$(mktemp -d 2>/dev/null || mktemp -d -t "$NAME")"
	staged=""
	trap 'rm -rf "$tmp"; [ -z "$staged" ] || rm -f "$staged"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	# Before the 50 MB download, and creating nothing yet: a folder that cannot be made or
	# written to (the folder, or the nearest one above it that exists) is said at once.
	where="Choose a folder you can write to with CLAUDE_CODE_SYNC_INSTALL_DIR, or run the installer with sudo to install there"
	existing="$install_dir"
	while [ ! -e "$existing" ]; do existing="$(dirname "$existing")"; done
	[ -d "$existing" ] || die "cannot install into $install_dir: $existing is a file, not a folder. Choose another folder with CLAUDE_CODE_SYNC_INSTALL_DIR. Nothing was downloaded."
	[ -w "$existing" ] || die "cannot install into $install_dir: no permission to write to $existing. $where. Nothing was downloaded."

	say "Downloading $NAME${version:+ $version} for $target from $base"
	download "$base/SHA256SUMS" "$tmp/SHA256SUMS" ||
		die "could not download $base/SHA256SUMS${version:+ (is $version a released version?)}"
	expected="$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1; exit }' "$tmp/SHA256SUMS")"
	[ -n "$expected" ] || die "the release has no $archive (its SHA256SUMS does not list it)"
	download "$base/$archive" "$tmp/$archive" || die "could not download $base/$archive"
	actual="$(sha256 "$tmp/$archive")"
	if [ "$actual" != "$expected" ]; then
		die "checksum mismatch for $archive (expected $expected, got $actual): the download is damaged or was tampered with. Nothing was installed."
	fi
	tar -xzf "$tmp/$archive" -C "$tmp" "$NAME" || die "could not unpack $archive"

	# Stage beside the destination, check that it runs (and is the pinned
	# version), then move it into place in one step.
	mkdir -p "$install_dir" || die "could not create $install_dir. $where."
	staged="$install_dir/.$NAME.new.$$"
	cp "$tmp/$NAME" "$staged" || die "could not write to $install_dir. $where."
	chmod 755 "$staged"
	if ! installed_version="$("$staged" --version 2>"$tmp/run.err")"; then
		case "$target" in
		*-musl) hint="The musl build needs the C++ runtime: on Alpine, apk add libstdc++, then run this again." ;;
		*) hint="Please report it at https://github.com/$REPO/issues" ;;
		esac
		die "the downloaded $NAME does not run on this machine ($target): $(head -n 5 "$tmp/run.err") $hint"
	fi
	if [ -n "$version" ] && [ "$installed_version" != "$version" ]; then
		die "asked for version $version but $base has $installed_version. Nothing was installed."
	fi
	mv -f "$staged" "$install_dir/$NAME"
	staged=""

	say "Installed $NAME $installed_version to $install_dir/$NAME"
	advise_path "$install_dir"
	say ""
	say "Next: $NAME login, then $NAME setup"
}

main "$@"
