# debian-chroot.sh: sourced by scripts/check-swift60 and scripts/build-arm64.
#
# Why this exists: the toolchain a Pi user most likely has is Debian 13's
# `swiftlang` (Swift 6.0.3), not the newest release CI builds with. Both
# scripts make a Debian 13 (trixie) tree with mmdebstrap, cache it (making
# one costs minutes, using one costs nothing), copy the repository's tracked
# files into it and run commands there under chroot with /proc, /sys, /dev
# and a fresh /tmp mounted. Functions only; nothing runs when sourced.

# The cache for chroots: outside the work tree, so every clone and worktree
# on this machine shares one (JUNCTION_CHROOT_CACHE overrides it).
chroot_cache="${JUNCTION_CHROOT_CACHE:-/var/cache/junction}"
debian_mirror="${JUNCTION_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

chroot_die() { echo "${chroot_script:-debian-chroot}: $*" >&2; exit 2; }

chroot_require_root() {
    [[ "$(id -u)" -eq 0 ]] || chroot_die "must run as root (mmdebstrap and chroot need it)"
}

# chroot_install_host_tools PACKAGE...: apt-get install what is missing.
chroot_install_host_tools() {
    local missing=()
    for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    ((${#missing[@]} == 0)) && return 0
    echo "${chroot_script:-debian-chroot}: installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# chroot_make DIR ARCH PACKAGES: a trixie tree with PACKAGES (comma list) at
# DIR unless DIR/.complete says one is there with the same list. Built in
# DIR.new and renamed, so an interrupted run never leaves half a tree.
chroot_make() {
    local dir="$1" arch="$2" packages="$3"
    if [[ -f "$dir/.complete" && "$(cat "$dir/.complete")" == "$arch $packages" ]]; then
        return 0
    fi
    chroot_unmount_all "$dir.new"; chroot_unmount_all "$dir"
    rm -rf --one-file-system "$dir.new"
    mkdir -p "$(dirname "$dir")"
    local started=$SECONDS
    echo "${chroot_script:-debian-chroot}: making a Debian 13 ($arch) tree with $packages in $dir (once; cached)"
    mmdebstrap --quiet --mode=root --variant=apt --architectures="$arch" \
        --include="$packages" trixie "$dir.new" "$debian_mirror" \
        || chroot_die "mmdebstrap failed (is $debian_mirror reachable? for arm64: is qemu-user-static registered in binfmt_misc?)"
    echo "$arch $packages" > "$dir.new/.complete"
    rm -rf --one-file-system "$dir"
    mv "$dir.new" "$dir"
    echo "${chroot_script:-debian-chroot}: tree made in $((SECONDS - started)) s"
}

# chroot_unmount_all DIR: undoes any mount left under DIR by an interrupted
# run, so that removing DIR can never reach through a bind mount of /dev.
chroot_unmount_all() {
    local dir="$1" m
    [[ -d "$dir" ]] || return 0
    dir="$(realpath "$dir")"
    while read -r m; do
        umount -R "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done < <(awk -v d="$dir/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r)
}

# chroot_copy_sources DIR: the repository's tracked and untracked-but-not-
# ignored files into DIR/src/junction, modification times kept so that a
# build directory kept inside the tree rebuilds only what changed.
chroot_copy_sources() {
    local dir="$1" root
    root="$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)"
    rm -rf "$dir/src/junction"
    mkdir -p "$dir/src/junction"
    (cd "$root" && git ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' f; do [[ -e "$f" ]] && printf '%s\0' "$f"; done \
        | tar --null -T - -cf -) | tar -C "$dir/src/junction" -xf -
}

# chroot_run DIR COMMAND: runs COMMAND (a bash -c string, stopping at the
# first failing line) in DIR/src/junction inside the tree, with the kernel file systems mounted for its duration.
chroot_run() {
    local dir="$1" command="$2" status=0
    chroot_unmount_all "$dir"
    trap 'chroot_unmount_all "'"$dir"'"' EXIT
    mount -t proc proc "$dir/proc"
    mount --rbind /sys "$dir/sys" && mount --make-rslave "$dir/sys"
    mount --rbind /dev "$dir/dev" && mount --make-rslave "$dir/dev"
    mount -t tmpfs tmpfs "$dir/tmp"
    cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
    chroot "$dir" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb \
        /bin/bash -c "set -eo pipefail; cd /src/junction && $command" || status=$?
    chroot_unmount_all "$dir"
    trap - EXIT
    return "$status"
}
