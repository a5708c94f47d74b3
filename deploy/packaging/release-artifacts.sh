#!/usr/bin/env bash
# Run by `mvn package` in deploy/packaging/ after jdeb: the tarball with the .deb's files, then SHA256SUMS of both.
#   release-artifacts.sh TARGET_DIR MAVEN_VERSION
set -euo pipefail
target=$1 version=$2
cd "$target"
debs=(edgeway_*_all.deb)
[[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || { echo "release-artifacts: expected one edgeway_*_all.deb in $target" >&2; exit 1; }
deb=${debs[0]}
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
# dpkg-deb -x gives the files with the modes the package sets; --owner/--group make them root's as in the .deb.
dpkg-deb -x "$deb" "$tree"
tarball="edgeway-$version.tar.gz"
# Sorted names and a fixed mtime: the same .deb gives the same tarball bytes (a reproducible checksum).
mtime=$(stat -c %Y "$deb")
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" -C "$tree" -cf - . | gzip -n > "$tarball"
sha256sum "$deb" "$tarball" > SHA256SUMS
cat SHA256SUMS
