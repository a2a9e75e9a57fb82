// ezmlm/lib/post_send.h — ezmlm-send: one post to every subscriber
// (reference ezmlm.md 3.3, 1.5).
//
// send_post() does the whole job under DIR/lock:
//   1. SENDER checked (bounces refused) and, for a sublist, that it is the
//      parent list's;
//   2. the header read and the rules of post_header applied — refusals
//      (looping, foreign Mailing-List, DMARC look-up failure) come before
//      anything is written;
//   3. the message streamed to qmail-queue and, when archived, to a
//      temporary archive file; the body through post_mime (parts removed,
//      trailer on the outgoing copy only);
//   4. DIR/num advanced (numnew + rename);
//   5. the envelope — sender list-return-N-@host-@[], recipients streamed
//      from the subscriber store one at a time — and qmail-queue's verdict;
//   6. on success the archive file committed (mode 0744) and the index
//      entry written; on failure num put back and the archive file removed.
// Returns qmail-queue's pid (for "ezmlm-send: info: qp N").
#pragma once

#include <optional>
#include <string>
#include <sys/types.h>

#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/post_dmarc.h"
#include "mta/core/io.h"

namespace ezmlm::post {

struct SendOptions {
  bool keep_received = false;                 // -r
  std::optional<std::string> sublist_header;  // -H
};

pid_t send_post(const ListDir& dir, const SendOptions& options, mta::io::Reader& in, TxtLookup& dns);

}  // namespace ezmlm::post
