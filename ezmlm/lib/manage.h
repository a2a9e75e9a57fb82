// ezmlm/lib/manage.h — ezmlm-manage: subscribers and moderators manage a
// list by mail (ezmlm.md 4).
//
// `ezmlm-manage [-aAbBcCdDeEfFlLmMnNqQsSuUvV] DIR` runs from DIR/manager
// for mail to local-COMMAND@host. DEFAULT holds the command
// (manage_command.h), SENDER the requester (SRS/prvs/BATV decoded), stdin
// the request. Every answer is a Reply (reply.h) in ezmlm-manage's header
// order, with text/top, the command's text and text/bottom plus a copy of
// the request; the envelope sender is <l>-return-@host.
//
// Options (getconfopt: the file first, then the switches, left to right):
//   -a/-A  print "ezmlm-manage: info: sending <text>" per text (off)
//   -b/-B  text/bottom and the request copy (on; file omitbottom = off)
//   -c/-C  legacy get.N (on)
//   -d/-e  remote text editing (file modcanedit); -D/-E off
//   -f/-F  the request's From: as Log comment (on)
//   -l/-L  remote list/listn/log (file modcanlist)
//   -m/-M  unsubscribe moderated like subscribe (off)
//   -n/-N  tell the target when a moderator changed the subscription (on)
//   -q     no owner copies; -Q owner gets failed unsubscribes, -QQ all changes
//   -s/-S  subscriber confirms subscription (on; file nosubconfirm = off)
//   -u/-U  subscriber confirms unsubscription (on; file nounsubconfirm = off)
//
// More than ezmlm-idx (issue 7):
//   - a bad confirmation (cut, altered, made up or expired) never changes a
//     subscription: the answer is sub-bad/unsub-bad with a fresh request,
//     and the info line says whether the cookie was expired or forged;
//   - at most `confirmlimit` (default 3) confirmation requests and
//     "already/not subscribed" notices go to one address a day
//     (manage_limit.h); beyond that nothing is sent, exit 0 with an info line;
//   - automatic mail (reply.h must_not_answer) is not answered: exit 0 with
//     an info line. One exception: a confirmation (sc. uc. tc. rc. vc. wc.)
//     whose cookie parses is acted on even when it carries List-* headers,
//     because mail programs that forward or redirect our own request keep
//     the List-Help/-Post/-Subscribe headers we put there, and the cookie
//     proves the list sent that request. Auto-Submitted, Precedence and
//     MAILER-DAEMON are never excepted: an autoresponder must not confirm
//     a subscription.
// Compatible refusals stay: an incoming Mailing-List: or our own
// "Delivered-To: responder for" line exits 100.
//
// Exit: 0 after a reply ("ezmlm-manage: info: qp N") or a deliberate
// silence; 100 for refused requests; 111 for temporary trouble.
#pragma once

#include <ctime>

#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/options.h"
#include "mta/core/io.h"

namespace ezmlm {

struct ManageOptions {
  bool verbose = false;        // -a
  bool bottom = true;          // -b / -B, omitbottom
  bool get = true;             // -c / -C
  bool edit = false;           // -d -e / -D -E, modcanedit
  bool store_from = true;      // -f / -F
  bool list = false;           // -l / -L, modcanlist
  bool mod_unsub = false;      // -m / -M
  bool notify = true;          // -n / -N
  int owner_copies = 0;        // -q 0, -Q 1, -QQ 2
  bool sub_confirm = true;     // -s / -S, nosubconfirm
  bool unsub_confirm = true;   // -u / -U, nounsubconfirm
};

inline constexpr const char* manage_spec = "aAbBcCdDeEfFlLmMnNqQsSuUvV";

// The options in force: list files first, then the switches in order.
ManageOptions manage_options(const ListDir& dir, const CommandLine& cl);

// The whole run for one request; returns the exit code.
int manage(const ListDir& dir, const ManageOptions& options, mta::io::Reader& in, std::time_t now);

// main(): parses argv, opens DIR, runs manage on stdin.
int manage_main(int argc, char** argv);

}  // namespace ezmlm
