// ezmlm/lib/weed.h — ezmlm-weed's test: is this message an automatic one?
//
// ezmlm-weed sits first on the manager and bouncer lines so that delivery
// notices, vacation replies and other lists' traffic never reach the
// command processors. is_weed() reads a message and says whether to drop
// it (ezmlm-weed exits 99) or let it through (0). It drops (ezmlm.md 3.2):
//   - header lines starting (case-sensitively) with one of weed_prefixes();
//   - Auto-Submitted: with any value but "no" (RFC 3834: "no" is a person);
//   - a multipart/report; report-type=delivery-status whose first Action:
//     line is not "failed" (a delay or success DSN, not a bounce);
//   - sendmail's warning formats: the three-line "**" box, or "The original
//     message was received at" with the "transient non-fatal errors" line.
// Reading stops at the first verdict; a body line over 1 MB, or EOF in the
// middle, lets the message through (ezmlm-weed reads EOF as "keep").
#pragma once

#include <string_view>
#include <vector>

#include "mta/core/io.h"

namespace ezmlm {

const std::vector<std::string_view>& weed_prefixes();

bool is_weed(mta::io::Reader& in);

}  // namespace ezmlm
