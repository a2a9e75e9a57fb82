# tests/e2e/lib/virtual.sh — virtual domains for the virtmailfilter and
# vdelivermail scenarios, on top of lib/mta.sh.
#
# Usage, at the top of a scenario:
#   . "$LETTERSHOP_SRC/tests/e2e/lib/virtual.sh"
#   virtual_instance            # mta_instance + the master user domain1,
#                               # $prefix = $dir/virtual, domain1.com and
#                               # domain2.com (both to domain1) in
#                               # control/virtualdomains, ~domain1/.qmail-default
#                               # piping to virtmailfilter --prefix $prefix
#   virtual_user DOMAIN NAME    # NAME in $prefix/DOMAIN/etc/passwd with
#                               # $vuid:$vgid, home $prefix/DOMAIN/users/NAME
#                               # owned by them; prints the home
#
# $vuid/$vgid: our own ids — or, run as root, nobody's (65534): virtmailfilter
# refuses uid 0 and as root really switches users, so the instance directory
# is opened (0755) for nobody to reach its home and bin/.
#   maildir_files DIR           # the files in DIR/new, one path a line
#
# The sender of the scenarios is joe@example.test, an account whose default
# delivery (./Mailbox) keeps the bounces.

. "$LETTERSHOP_SRC/tests/e2e/lib/mta.sh"

prefix=""
vuid=$(id -u)
vgid=$(id -g)
if [ "$vuid" = 0 ]; then
  vuid=65534
  vgid=65534
fi

# virtual_instance - the instance, the master user and the two domains
virtual_instance() {
  mta_instance
  [ "$(id -u)" != 0 ] || chmod 0755 "$dir"
  add_user joe
  add_user domain1
  prefix=$dir/virtual
  mkdir -p "$prefix/domain1.com/etc" "$prefix/domain2.com/etc"
  : >"$prefix/domain1.com/etc/passwd"
  : >"$prefix/domain2.com/etc/passwd"
  printf 'domain1.com:domain1\ndomain2.com:domain1\n' >"$dir/control/virtualdomains"
  echo "|$dir/bin/virtmailfilter --prefix $prefix" >"$(home domain1)/.qmail-default"
}

# virtual_user DOMAIN NAME - a virtual user with our uid; prints the home
virtual_user() {
  local h=$prefix/$1/users/$2
  mkdir -p "$h"
  [ "$(id -u)" != 0 ] || chown "$vuid:$vgid" "$h"
  echo "$2:x:$vuid:$vgid:$2:$h:" >>"$prefix/$1/etc/passwd"
  echo "$h"
}

# maildir_files DIR - the messages in DIR/new
maildir_files() {
  find "$1/new" -type f 2>/dev/null | sort
}
