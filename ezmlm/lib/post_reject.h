// ezmlm/lib/post_reject.h — ezmlm-reject: refuse posts a list should not
// distribute (reference ezmlm.md 3.2, 5.3).
//
// check_post() reads the message and throws:
//   - mta::ExitError(99) for Precedence: junk/bulk (the documented rule;
//     7.2.2 never applied it because of a parsing slip) and, with -q, for a
//     post that does not name the list in To/Cc;
//   - mta::PermError (exit 100, the text from text/messages) for: no or
//     empty subject ("(null)", "(none)", "(no subject)" count as empty);
//     a subject that is only a command (HELP, REMOVE, SUBSCRIBE,
//     UNSUBSCRIBE); a body starting with (un)subscribe (-b); the list
//     missing from To/Cc (-t, needs DIR); a header named in headerreject;
//     a top-level type in mimereject, in mimeremove or missing from
//     mimekeep; a part type in mimereject; a body (MIME part headers not
//     counted) over or under msgsize's max:min.
// Without a list directory only the SENDER, Precedence, subject and command
// checks apply.
#pragma once

#include <optional>

#include "ezmlm/lib/listdir.h"
#include "mta/core/io.h"

namespace ezmlm::post {

struct RejectOptions {
  bool body_command = false;   // -b
  bool subject_command = true; // -c
  bool header_reject = true;   // -h
  bool quiet_address = false;  // -q: exit 99 instead of 100
  bool need_subject = true;    // -s
  bool need_address = true;    // -t
};

// dir is nullopt when no DIR was given; sender is the raw SENDER (nullopt
// when unset).
void check_post(const ListDir* dir, const std::optional<std::string>& sender, const RejectOptions& options,
                mta::io::Reader& in);

}  // namespace ezmlm::post
