# bench/lib/postfix_remote.sh - the system Postfix as a null client relaying
# everything to an SMTP sink on 127.0.0.1, for bench/remote.
# shellcheck shell=bash
#
# Sourced after lib/postfix.sh (pf_queue_count, postfix_restore, PF_* state);
# the caller provides WORK, log and die, and holds the bench lock
# (/tmp/lettershop-postfix-bench.lock) while Postfix is reconfigured.
#
#   postfix_remote_start PORT   root only; main.cf saved, then: no local
#                               domains, relayhost [127.0.0.1]:PORT, no DNS,
#                               no listener, log in PF_REMOTE_LOG; sets
#                               PF_SENDMAIL. postfix_restore puts it back.
#   pf_sent                     "status=sent" lines in PF_REMOTE_LOG

PF_REMOTE_LOG=/var/log/postfix-bench-remote.log

postfix_remote_start() {
  local port=$1
  [ "$(id -u)" = 0 ] || die "the Postfix side needs root (POSTFIX=0 runs our side only)"
  command -v postfix >/dev/null || die "postfix is not installed (scripts/deps)"
  PF_SENDMAIL=$(postconf -h sendmail_path)
  postfix status >/dev/null 2>&1 && PF_WAS_RUNNING=1
  cp -p /etc/postfix/main.cf "$WORK/main.cf.orig"
  PF_STARTED=1   # from here on the exit trap puts main.cf back
  # Postfix's defaults otherwise: 20 connections per destination (as our
  # concurrencyremote), 50 recipients per transaction.
  postconf -e \
    myhostname=bench.test mydomain=bench.test myorigin=bench.test \
    mydestination= local_transport=error:local \
    inet_interfaces=loopback-only inet_protocols=ipv4 master_service_disable=inet \
    "relayhost=[127.0.0.1]:$port" default_transport=smtp relay_transport=smtp \
    smtp_dns_support_level=disabled smtp_host_lookup=native smtpd_peername_lookup=no \
    maillog_file=$PF_REMOTE_LOG
  : > "$PF_REMOTE_LOG"
  if [ "$PF_WAS_RUNNING" = 1 ]; then postfix reload 2>/dev/null; else postfix start 2>/dev/null; fi
  local n; n=$(pf_queue_count)
  [ "$n" = 0 ] || die "Postfix's queue holds $n messages that are not ours; empty it first (postsuper -d ALL)"
}

pf_sent() { grep -c 'status=sent' "$PF_REMOTE_LOG" || true; }
