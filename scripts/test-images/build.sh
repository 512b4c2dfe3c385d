# Builds the local test images, sourced by scripts/with-docker.sh (which has started dockerd and
# set DOCKER and DOCKER_HOST). Each image is session-stores-test/<name>:<hash>, the hash taken
# over its definition (this directory's <name>/ files, the base image, and for mongo the FerretDB
# binary), so an image is built once per machine and again only when its definition changes.
# Exports SESSION_STORES_<NAME>_IMAGE for the harness.

TEST_IMAGES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TEST_IMAGE_NAMES=(redis postgres memcached mongo)

# The Debian mirror apt uses on this machine (deb822 or one-line sources).
debian_mirror() {
  local mirror=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    mirror="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)"
  fi
  if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
    mirror="$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list)"
  fi
  echo "${mirror:-http://deb.debian.org/debian}"
}

short_hash() { sha256sum | cut -c1-12; }

image_exists() { "$DOCKER" image inspect "$1" >/dev/null 2>&1; }

# Removes the other tags of a repository (definitions that changed), so the cache does not grow.
drop_old_tags() {
  local repository="$1" keep="$2" tag
  for tag in $("$DOCKER" image ls --format '{{.Repository}}:{{.Tag}}' "$repository"); do
    [ "$tag" = "$keep" ] || "$DOCKER" image rm "$tag" >/dev/null 2>&1 || true
  done
}

# A minimal Debian bookworm made with debootstrap from the machine's own mirror: no registry.
build_base_image() {
  local mirror tag root
  mirror="$(debian_mirror)"
  tag="session-stores-test/debian:bookworm-$(printf 'minbase bookworm %s' "$mirror" | short_hash)"
  if ! image_exists "$tag"; then
    log "building $tag (debootstrap from $mirror)"
    root="$(mktemp -d)"
    if ! debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1; then
      tail -n 20 "$root.log" >&2
      rm -rf "$root" "$root.log"
      echo "with-docker.sh: debootstrap failed" >&2
      return 1
    fi
    # No apt caches or lists in the base: each image fetches fresh lists for what it installs.
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" -c . | "$DOCKER" import - "$tag" >/dev/null
    rm -rf "$root" "$root.log"
    drop_old_tags session-stores-test/debian "$tag"
  fi
  BASE_IMAGE="$tag"
}

build_test_image() {
  local name="$1" definition="$TEST_IMAGES_DIR/$1" context hash tag variable
  context="$(mktemp -d)"
  cp -R "$definition/." "$context/"
  # The MongoDB stand-in is FerretDB, built by scripts/install-test-servers.sh into the cache.
  if [ "$name" = mongo ]; then
    if [ ! -x "$cache/bin/ferretdb" ]; then
      echo "with-docker.sh: $cache/bin/ferretdb is missing; run scripts/install-test-servers.sh first" >&2
      rm -rf "$context"
      return 1
    fi
    cp "$cache/bin/ferretdb" "$context/ferretdb"
  fi
  hash="$( (echo "$BASE_IMAGE"; cd "$context" && find . -type f | LC_ALL=C sort | xargs sha256sum) | short_hash)"
  tag="session-stores-test/$name:$hash"
  if ! image_exists "$tag"; then
    log "building $tag"
    if ! "$DOCKER" build --quiet --network host --build-arg "BASE=$BASE_IMAGE" -t "$tag" "$context" >"$context.log" 2>&1; then
      tail -n 30 "$context.log" >&2
      rm -rf "$context" "$context.log"
      echo "with-docker.sh: building $tag failed" >&2
      return 1
    fi
    drop_old_tags "session-stores-test/$name" "$tag"
  fi
  rm -rf "$context" "$context.log"
  variable="SESSION_STORES_$(echo "$name" | tr '[:lower:]' '[:upper:]')_IMAGE"
  export "$variable=$tag"
  log "$variable=$tag"
}

build_test_images() {
  local name
  build_base_image
  for name in "${TEST_IMAGE_NAMES[@]}"; do build_test_image "$name"; done
}
