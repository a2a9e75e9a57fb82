// autorespond/rules.h — when an auto-reply must not be sent.
//
// RFC 3834 section 2 and the practice of vacation(1), Sieve vacation
// (RFC 5230) and Microsoft's X-Auto-Response-Suppress, as one pure function
// over the parsed header of the incoming message and its envelope: it
// returns the first reason that applies, or nullopt when a reply may go
// (the rate limit is checked afterwards, by the state store). The rules, in
// the order they are checked:
//
//   null sender       SENDER is "" or "#@[]" (a bounce; RFC 3834 2)
//   bad sender        no '@', empty local part or domain, white space or
//                     control characters, longer than qmail-queue takes
//   system sender     MAILER-DAEMON*, postmaster, mailer, uucp, listserv,
//                     majordomo, owner-*, *-owner, *-request, *-relay,
//                     *-bounces, noreply/no-reply/do-not-reply (local part)
//   loop              a header line equal to our DTLINE, or autorespond
//                     2.0's "Delivered-To: ... Autoresponder" marker
//   auto-submitted    Auto-Submitted other than "no" (RFC 3834 5)
//   suppressed        X-Auto-Response-Suppress: All, OOF or AutoReply
//   precedence        Precedence: bulk, junk, list or auto_reply
//   list              any List-* field (RFC 2369, 2919, 8058), Mailing-List,
//                     X-Mailing-List, X-ML-Name
//   auto-reply        X-Autoreply, X-Autorespond (other responders' marks)
//   own address       the sender is the recipient or one of the owners
//   not addressed     owners are given and none is in To, Cc, Bcc or
//                     Resent-To/-Cc/-Bcc (RFC 3834 2, "implicit delivery")
//   outside period    now is before --start or after --end
//
// A suppression is never an error: autorespond exits 0 for all of them.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mta/core/message.h"

namespace autorespond {

enum class Reason {
  null_sender,
  bad_sender,
  system_sender,
  loop,
  auto_submitted,
  suppressed,
  precedence,
  list,
  auto_reply,
  own_address,
  not_addressed,
  outside_period,
  rate_limit,   // from the state store, not from suppress()
  bad_message,  // the incoming message could not be parsed
};

// The reason as autorespond prints it ("list", "null sender").
std::string_view reason_name(Reason r);

struct Policy {
  std::string dtline;                // qmail-local's DTLINE ("Delivered-To: joe@host\n"), may be empty
  std::string recipient;             // RECIPIENT, may be empty
  std::vector<std::string> owners;   // --owner addresses; empty: no To/Cc check
  std::optional<std::time_t> start;  // --start
  std::optional<std::time_t> end;    // --end
};

// The sender rules alone (null, bad, system sender).
std::optional<Reason> sender_reason(std::string_view sender);

// Every rule above, in order.
std::optional<Reason> suppress(const mta::message::Header& header, std::string_view sender,
                               const Policy& policy, std::time_t now);

}  // namespace autorespond
