# tests/e2e/lib/rootns.sh — run a root-mode scenario in a private mount namespace.
# shellcheck shell=bash
#
# Root mode creates real accounts (qmail-setup runs groupadd/useradd) and the
# setuid qmail-queue ignores $QMAILHOME, so it always uses the compiled-in
# /var/qmail. Neither may touch the host. A scenario therefore re-executes
# itself in its own mount namespace, where:
#   /etc       is a bind mount of a private copy, so accounts made here
#              vanish with the namespace;
#   /var       is a fresh tmpfs holding an empty /var/qmail, the instance
#              (nothing else of the host's /var is visible in the test).
#
# Usage, at the top of a scenario:
#   . "$LETTERSHOP_SRC/tests/e2e/lib/rootns.sh"
#   rootns_enter "$0" "$@"     # not root / no namespaces: SKIP, exit 0;
#                              # otherwise execs the script inside a namespace
#   rootns_setup               # inside: $rootns_tmp (0755), private /etc, /var/qmail
#   ... on_exit 'command' for cleanup, fail "why" for failed assertions ...
#
# $rootns_tmp is a mktemp -d directory on the host's /tmp. It is never a
# mount point and nothing is mounted below it (only its etc/ is the *source*
# of a bind mount), so removing it cannot reach into the host's files. On
# failure it is kept, with a copy of the instance in $rootns_tmp/qmail,
# and its path is printed.

. "$LETTERSHOP_SRC/tests/e2e/lib/instance.sh"   # fail, on_exit, instance_trap

rootns_tmp=""

# rootns_enter SCRIPT ARGS... - exec SCRIPT inside a private mount namespace
rootns_enter() {
  [ "${ROOTNS_INSIDE:-}" = 1 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "SKIP: needs root and mount namespaces (running as uid $(id -u))"
    exit 0
  fi
  if ! unshare -m --propagation private true 2>/dev/null; then
    echo "SKIP: needs root and mount namespaces (unshare -m is not permitted here)"
    exit 0
  fi
  local script=$1
  shift
  ROOTNS_INSIDE=1 exec unshare -m --propagation private bash "$script" "$@"
}

# rootns_setup - inside the namespace: private /etc, tmpfs /var with /var/qmail
rootns_setup() {
  [ "${ROOTNS_INSIDE:-}" = 1 ] || fail "rootns_setup outside the namespace (call rootns_enter first)"
  rootns_tmp=$(mktemp -d "${TMPDIR:-/tmp}/lettershop-root.XXXXXX")
  instance_trap "$rootns_tmp"
  on_failure 'cp -a /var/qmail "$rootns_tmp/qmail" 2>/dev/null; echo "instance copy: $rootns_tmp/qmail" >&2'
  # Other uids (qmailq, fred, ...) must reach files below it.
  chmod 0755 "$rootns_tmp"
  mkdir "$rootns_tmp/etc"
  cp -a /etc/. "$rootns_tmp/etc/"
  mount --bind "$rootns_tmp/etc" /etc || fail "cannot bind-mount a private /etc"
  mount -t tmpfs -o mode=0755 lettershop-var /var || fail "cannot mount a tmpfs over /var"
  mkdir -m 0755 /var/qmail
  # Make sure the namespace really is private before anything creates accounts.
  [ "$(stat -c %i /etc/passwd)" = "$(stat -c %i "$rootns_tmp/etc/passwd")" ] ||
    fail "/etc/passwd is not the private copy"
}
