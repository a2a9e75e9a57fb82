// ezmlm/lib/moderate_comment.h — the moderator's comment in a reject reply
// (reference ezmlm.md 3.2, ezmlm-moderate).
//
// A moderator rejects a post by replying to the reject- address; text/
// mod-request invites a comment for the poster between two marker lines.
// A marker line is a line whose first '%' is at most 5 bytes in and starts
// "%%%": the bytes before it are the moderator's quote prefix ("> ", "| ",
// "> > "), which is then removed from each comment line that starts with it.
// The reply's body is decoded first: its own Content-Transfer-Encoding
// (quoted-printable or base64) when it is not multipart, else the first
// text/plain part (or the first part without a Content-Type) of the top-level
// multipart with that part's encoding. CRLF line ends become LF.
//
// extract_comment() returns the comment lines (each ending in '\n') when
// both markers were found and something other than white space lies between
// them; nullopt otherwise (no comment: the poster gets the notice alone).
// It is a pure function over bytes that never throws for bad input, and it
// is fuzzed (tests/fuzz/fuzz_ezmlm_moderate_comment.cpp).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ezmlm::moderate {

// A comment longer than this is cut (a reply is not a second post).
inline constexpr std::size_t max_comment_bytes = 64 * 1024;

// `reply` is the whole reply message, header and body.
std::optional<std::string> extract_comment(std::string_view reply);

// The comment part of an already decoded text (exposed for tests).
std::optional<std::string> comment_between_markers(std::string_view text);

}  // namespace ezmlm::moderate
