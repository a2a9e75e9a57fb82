// ezmlm/lib/moderate_flow.h — what ezmlm-store, ezmlm-moderate, ezmlm-confirm,
// ezmlm-clean and ezmlm-accept do (reference ezmlm.md 6.1, 3.2), as
// functions over a ListDir so the programs' mains stay a few lines.
//
// store_post(): a post that needs a moderator (modpost) or its poster's
// confirmation (confirmpost, -y) is written to the queue (moderate.h) and a
// request goes out:
//   moderation: From <l>-reject-T.PID.H@host, Reply-To <l>-accept-...,
//     To <<l>-moderators@host>, [Cc <l>-allow-tc.T.H-box=dom@host when the
//     list is remote-administered and the poster is no moderator, so a
//     moderator can let the poster through ezmlm-gate from then on],
//     Subject "MODERATE for L@H", text/mod-request, the queued post as a
//     message/rfc822 part (-M: appended; -B: its header only); envelope
//     <l>-return-@host; to the posting moderator alone, else every moderator
//     (modpost's db, or mod; with -s the modpost db only approves its own
//     posts and requests go to mod).
//   confirmation: From <l>-owner@host, Reply-To <l>-confirm-..., To the
//     poster, Subject "Confirm post to L@H", text/post-confirm; envelope
//     sender the <l>-discard-... address, so a bounce discards the post.
//   modpostonly (or -P) and a poster who is no moderator: ERR_NO_POST (100),
//   nothing queued. Our own "Delivered-To: moderator for" line (ERR_LOOPING)
//   or a Mailing-List header (ERR_MAILING_LIST) is refused before anything
//   is written. The file is committed (fsync, rename) before the request is
//   queued; a request that cannot be queued removes the file again (111).
//
// act(): ezmlm-moderate (accept-/reject-) and ezmlm-confirm (confirm-/
// discard-) after the cookie is checked: see moderate_flow.cpp for the order
// of the steps and why a crash never posts twice.
//
// clean(): expiry under mod/lock by the time in the file names and
// DIR/modtime (hours, 24..240, default 120): pending posts whose request went
// out (owner-x bit) are returned to their Return-Path with text/mod-timeout
// unless -R / noreturnposts, the rest deleted silently; stubs in accepted/
// and rejected/ and unconfirmed posts expire the same way; temporary files
// of crashed writers go after the same time.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/moderate.h"
#include "mta/core/io.h"

namespace ezmlm::moderate {

struct StoreOptions {
  bool body = true;                  // -b/-B: the post's body in the request
  bool mime = true;                  // -m/-M: as a message/rfc822 part
  std::optional<bool> anyone;        // -p/-P (default: not modpostonly)
  bool self = false;                 // -s: modpost db = self-approvers
  std::optional<bool> confirm;       // -y/-Y (default: confirmpost)
};

// True when the post must be queued (modpost, or confirmation on); else the
// caller hands it to ezmlm-send.
bool needs_queue(const ListDir& dir, const StoreOptions& options);

// Queues the post read from `in` and sends the request. Returns the qp.
pid_t store_post(const ListDir& dir, const StoreOptions& options, mta::io::Reader& in, std::time_t now);

enum class Verb { accept, reject, confirm, discard };

struct ActionRequest {
  Verb verb = Verb::accept;
  QueueName name;
};

// The verb and queue name from LOCAL/DEFAULT: DEFAULT "accept-T.PID.H" (as
// ezmlm-dispatch sets it) or DEFAULT "T.PID.H" with LOCAL ending in
// "-accept-T.PID.H" (qmail-local and dot-accept-default). `allowed` are the
// verbs of the calling program. The cookie is checked against DIR/key.
// PermError ERR_MOD_COOKIE for anything malformed or forged.
ActionRequest parse_action(const ListDir& dir, const std::vector<Verb>& allowed);

struct ActionOptions {
  Command command;                        // what takes an accepted/confirmed post
  bool mime = true;                       // -m/-M for the reject notice
  std::optional<std::string> reply_to;    // -t
};

// Carries out the decision; `reply` is the moderator's mail (for a reject
// comment). Returns an info line for stderr ("" when the command printed its own).
std::string act(const ListDir& dir, const ActionRequest& request, const ActionOptions& options,
                mta::io::Reader& reply, std::time_t now);

// The whole run of ezmlm-moderate and ezmlm-confirm (they differ only in
// their verbs): options -cCrR (for ezmlm-send), -mM and -t (reject notices),
// SENDER checked (bounces and addresses without '@' refused), the command
// from the operands after DIR, the action parsed and carried out. Returns
// the exit code; errors are thrown for run_main.
int action_main(int argc, char** argv, std::string_view prog, const std::vector<Verb>& verbs);

struct CleanOptions {
  std::optional<bool> return_posts;  // -r/-R (default: not noreturnposts)
  bool mime = true;                  // -m/-M
};

struct CleanResult {
  unsigned returned = 0;
  unsigned deleted = 0;
};

CleanResult clean(const ListDir& dir, const CleanOptions& options, std::time_t now);

// ezmlm-accept: each file with the owner-x bit goes to ezmlm-send (SENDER
// from its Return-Path) and is removed once sent; a file of mod/pending
// gets its accepted stub first. Returns how many could not be sent.
unsigned accept_files(const ListDir& dir, const std::vector<std::string>& files,
                      const std::vector<std::string>& send_options);

}  // namespace ezmlm::moderate
