// filters/vdeliver.h — vdelivermail: vpopmail-style delivery for a virtual
// domain handled through users/assign (reference 2b).
//
// Wiring, as vadddomain makes it: users/assign has
// "+domain3.com-:vpopmail:UID:GID:/path/domain3.com:-::", control/
// virtualdomains "domain3.com:domain3.com", and /path/domain3.com/
// .qmail-default holds "| vdelivermail '' ACTION". qmail-local runs it as
// the domain's uid in the domain directory with EXT = the virtual user.
//
// The run: EXT and HOST lower-cased and checked (as virtmailfilter); the loop
// check for "Delivered-To: user@domain" and DTLINE (5.4.6); the user from
// vpasswd.cdb (or vpasswd) in the domain directory ($HOME); a user directory
// that must lie inside the domain directory (relative homes are taken from
// it). A user directory with a .qmail file holding instructions has them
// carried out in order — |program through /bin/sh -c in the user directory,
// ./Maildir/ and ./mbox lines, forwards queued together at the end — else
// the message goes to <userdir>/Maildir/ under the Maildir++ quota of
// maildirsize or of the account's shell field (quota.h).
//
// ACTION, for a user that does not exist:
//   bounce-no-mailbox   <domaindir>/.no-user.msg, else "Sorry, no mailbox
//                       here by that name. (#5.1.1)", and exit 100;
//   delete              exit 0: the message is dropped;
//   user@example        forward DTLINE + message there;
//   /path/to/dir        that directory's .qmail, else its Maildir/.
//
// Exit codes: 0 delivered (or deleted), 99 a .qmail program asked to stop,
// 100 bounce, 111 retry (also for a bad .qmail-default line, as vpopmail).
#pragma once

#include <ctime>
#include <filesystem>
#include <string>
#include <string_view>

#include "mta/core/dotqmail.h"
#include "mta/core/paths.h"

namespace filters::vdeliver {

namespace fs = std::filesystem;

enum class ActionKind { bounce, discard, forward, mailbox };

struct Action {
  ActionKind kind;
  std::string target;  // the address or directory, else empty
  bool operator==(const Action&) const = default;
};

// Parses ACTION. TempError (4.3.5) "invalid syntax in .qmail-default file"
// for anything else (vpopmail defers too: the administrator fixes it).
Action parse_action(std::string_view text);

inline constexpr std::string_view no_user_text = "Sorry, no mailbox here by that name. (#5.1.1)";

// The whole delivery; argv as given to vdelivermail. Returns the exit code.
int run(int argc, char** argv, const mta::dotqmail::Env& env, int message_fd, const mta::Home& home,
        std::time_t now);

}  // namespace filters::vdeliver
