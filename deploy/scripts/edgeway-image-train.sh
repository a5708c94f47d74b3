#!/bin/sh
# Records the proxy's start-up cache while an image is built (deploy/packer), so the first boot of every node
# maps a trained AOT cache instead of recording one at its first stop (issue 21).
#   edgeway-image-train.sh      (root; after the edgeway .deb and the image's Java are installed)
#
# JDK 25+ only: `edgeway train` runs the proxy's warm-up alone on loopback and writes the AOT cache as the JVM
# exits, where the unit looks for it (CacheDirectory=edgeway, i.e. EDGEWAY_CDS_DIR=/var/cache/edgeway), as the
# edgeway user that will map it. The name carries the release and the JDK's major version, so it is the file
# the unit's launcher picks with the same java. On JDK 17-24 there is nothing to train: AppCDS is recorded at
# the first clean stop, and an archive from the image build would name the build's jars, not a trained run.
# A failed training fails the image build: an image that claims a cache should have one.
# EDGEWAY_LAUNCHER, EDGEWAY_CDS_DIR and EDGEWAY_USER are for the tests (deploy/scripts/tests/).
set -eu
launcher=${EDGEWAY_LAUNCHER:-/usr/bin/edgeway}
cache_dir=${EDGEWAY_CDS_DIR:-/var/cache/edgeway}
user=${EDGEWAY_USER:-edgeway}

# `edgeway jvm` prints "java=... version=N cache=...": the java the unit will run, without starting a JVM.
major=$(EDGEWAY_CDS_DIR=$cache_dir "$launcher" jvm | sed -n 's/^java=.* version=\([0-9][0-9]*\) .*/\1/p')
major=${major:-0}
if [ "$major" -lt 25 ]; then
  echo "edgeway-image-train: java $major has no AOT cache; nothing to train (AppCDS is recorded at the first clean stop)"
  exit 0
fi
# What CacheDirectory= would make: owned by the service user, who writes the cache and later maps it.
install -d -o "$user" -g "$(id -gn "$user")" -m 0755 "$cache_dir"
# runuser: root to the service user without PAM prompts or a login shell (util-linux, in every Debian image).
runuser -u "$user" -- env EDGEWAY_CDS_DIR="$cache_dir" "$launcher" train
