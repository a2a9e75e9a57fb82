// ezmlm/lib/get.h — ezmlm-get's whole run (ezmlm.md 6.2, 3.2).
//
// run_get() decides from LOCAL/DEFAULT what is asked (get_command.h), checks
// who may ask, builds the reply or digest (digest.h) and injects it through
// mta::QueueClient:
//   get/index/thread  to SENDER, envelope sender <local>-return-@host; the
//                     request's Delivered-To and Received lines are copied;
//                     a request carrying Mailing-List (not from the editor)
//                     or our own Delivered-To line is refused (100).
//                     Access: public lists answer everyone (-p/-P override;
//                     modgetonly makes a list non-public for this); a
//                     non-public list answers only moderators of a remote-
//                     administered list; -s/subgetonly limits to addresses
//                     in the main, digest or allow db.
//   digest            under DIR/lock: messages dignum+1..num to the digest/
//                     subscribers, envelope <local>-digest-return-<first>-
//                     @host-@[], headeradd with <#l#> = local-digest.
//                     DIR/digissue and DIR/dignum (num:size:now) are
//                     replaced only after qmail-queue accepted the digest,
//                     so a failed injection leaves both as they were and a
//                     crash in between sends the messages again rather than
//                     losing them (ezmlm-idx wrote them first and put them
//                     back on failure; the outcome for a failure is the same).
// Exit codes: 0 from the command line and the editor, 99 for a request the
// manager served, 0 for "not ours", 100/111 through exceptions.
#pragma once

#include <ctime>
#include <optional>
#include <string>

#include "ezmlm/lib/listdir.h"
#include "mta/core/io.h"

namespace ezmlm::get {

struct GetOptions {
  bool omitbottom = false;             // -B / omitbottom (-b clears)
  bool commands = true;                // -c / -C (-C: digests only)
  std::optional<bool> is_public;       // -p / -P; nullopt: public && !modgetonly
  bool subscribers_only = false;       // -s / subgetonly (-S clears)
  std::optional<char> format;          // -f / digformat
  std::optional<std::string> code;     // the argument after DIR
};

// The options from the list's files, before the command line applies.
GetOptions options_from_files(const ListDir& dir);

// `in` is the request (read only for manager requests). Prints
// "ezmlm-get: info: qp N" and "ezmlm-get: info: nothing to digest" on stderr.
int run_get(const ListDir& dir, const GetOptions& options, mta::io::Reader& in, std::time_t now);

}  // namespace ezmlm::get
