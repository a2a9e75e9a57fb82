# bench/lib/postfix.sh - the system Postfix, reconfigured for a benchmark run.
# shellcheck shell=bash
#
# Sourced by bench/queue and bench/local, which provide BUSER (the recipient
# account), WORK (the run's folder), log and die.
#
# The system Postfix is reconfigured for the run (main.cf is saved first and
# put back by postfix_restore, which the caller's exit trap runs): local-only,
# no inet services at all (injection needs none), no DNS, delivery to
# ~$BUSER/Maildir/, everything else remote bounced by the error transport.
#
#   postfix_start     root only; installs postfix if missing; sets PF_SENDMAIL
#   postfix_restore   main.cf back; reload or stop as before the run
#   pf_queue_dir, pf_queue_count, clear_maildir

PF_SENDMAIL=/usr/sbin/sendmail   # replaced by postconf sendmail_path
PF_STARTED=0
PF_WAS_RUNNING=0
pf_queue_dir() { postconf -h queue_directory; }
pf_queue_count() {
  local q; q=$(pf_queue_dir)
  find "$q/maildrop" "$q/incoming" "$q/active" "$q/deferred" "$q/hold" -type f 2>/dev/null | wc -l
}

postfix_start() {
  [ "$(id -u)" = 0 ] || die "the Postfix side needs root (POSTFIX=0 runs our side only)"
  command -v postfix >/dev/null || {
    log "installing postfix"
    echo "postfix postfix/main_mailer_type select Local only" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null
  }
  # Postfix's own sendmail, whatever owns /usr/sbin/sendmail on this machine
  PF_SENDMAIL=$(postconf -h sendmail_path)
  postfix status >/dev/null 2>&1 && PF_WAS_RUNNING=1
  cp -p /etc/postfix/main.cf "$WORK/main.cf.orig"
  PF_STARTED=1   # from here on the exit trap puts main.cf back
  id "$BUSER" >/dev/null 2>&1 || useradd -m -s /usr/sbin/nologin "$BUSER"
  postconf -e \
    myhostname=bench.test mydomain=bench.test myorigin=bench.test \
    'mydestination=bench.test, localhost' \
    home_mailbox=Maildir/ mailbox_command= \
    inet_interfaces=loopback-only inet_protocols=ipv4 master_service_disable=inet \
    default_transport=error relay_transport=error relayhost= \
    smtp_dns_support_level=disabled smtpd_peername_lookup=no \
    maillog_file=/var/log/postfix-bench.log
  [ -f /etc/aliases.db ] || newaliases
  local md=/home/$BUSER/Maildir
  install -d -o "$BUSER" -m 700 "$md" "$md/new" "$md/cur" "$md/tmp"
  if [ "$PF_WAS_RUNNING" = 1 ]; then postfix reload 2>/dev/null; else postfix start 2>/dev/null; fi
  local n; n=$(pf_queue_count)
  [ "$n" = 0 ] || die "Postfix's queue holds $n messages that are not ours; empty it first (postsuper -d ALL)"
}

postfix_restore() {
  [ "$PF_STARTED" = 1 ] || return 0
  cp -p "$WORK/main.cf.orig" /etc/postfix/main.cf
  if [ "$PF_WAS_RUNNING" = 1 ]; then postfix reload 2>/dev/null || true
  else postfix stop 2>/dev/null || true; fi
  PF_STARTED=0
}

clear_maildir() { find "/home/$BUSER/Maildir/new" "/home/$BUSER/Maildir/cur" -type f -delete; }
