// ezmlm/lib/post_mime.h — the body of a list post: MIME part stripping and
// the trailer (reference ezmlm.md 3.3).
//
// Only the top-level multipart is parsed, as ezmlm-send does: the boundary
// comes from the message's Content-Type (quoted or bare, parameters after it
// allowed). With mimeremove, parts whose type is listed are dropped; with
// mimekeep, parts whose type is not listed are. The preamble goes too when a
// filter is active. If nothing survives the post is refused (100).
//
// The trailer (text/trailer, tags already expanded) goes only to the
// outgoing copy, never to the archive:
//   - a body that is not multipart gets a newline and the trailer, in the
//     body's own Content-Transfer-Encoding (base64: the text with CRLF line
//     ends, encoded and padded; quoted-printable: encoded);
//   - multipart/mixed, /digest and /parallel get a text/plain part just
//     before the closing boundary;
//   - other multipart types (alternative, signed, related ...) get none:
//     a part added there would break a signature or show as an alternative.
// A multipart body without its closing boundary keeps what it has and gets
// no trailer (we cannot know where the last part ends).
//
// The body is streamed line by line; one line (of any length) and one part
// header are held at a time, never the whole message.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mta/core/io.h"

namespace ezmlm::post {

struct ContentType {
  std::string type;      // lower case, "text/plain" when absent or unusable
  std::string boundary;  // the boundary parameter, quotes removed; may be empty
  bool multipart() const { return type.rfind("multipart/", 0) == 0; }
};

// Parses an (unfolded or folded) Content-Type value; never throws.
ContentType parse_content_type(std::string_view value);

enum class Cte { plain, quoted_printable, base64 };
// The first token of a Content-Transfer-Encoding value.
Cte parse_cte(std::string_view value);

// Base64 of `text` with every LF turned into CRLF first (a lone CR stays),
// in lines of 76 characters each ending in "\n", padded with '='.
std::string encode_base64_text(std::string_view text);
// Quoted-printable (RFC 2045 6.7) of text; line ends stay line ends, soft
// breaks keep lines at most 76 characters.
std::string encode_qp(std::string_view text);

struct MimeFilter {
  enum class Mode { none, remove, keep } mode = Mode::none;
  std::vector<std::string> types;  // lower case
  bool active() const { return mode != Mode::none; }
  // True if a part of this type (lower case) is dropped.
  bool drops(std::string_view type) const;
};

// Where the body goes: both copies, or the outgoing one only (the trailer).
class BodySink {
 public:
  virtual ~BodySink() = default;
  virtual void both(std::string_view data) = 0;
  virtual void outgoing(std::string_view data) = 0;
};

struct BodyPlan {
  ContentType type;
  Cte cte = Cte::plain;
  MimeFilter filter;
  std::optional<std::string> trailer;  // expanded text/trailer, when addtrailer is on
  std::string charset = "us-ascii";    // the list's charset, ":Q"/":B" suffix included
  std::string all_removed_text = "all MIME parts were removed";  // ERR_BAD_ALL
};

// Copies the body (`first` = Header::body_start, then the rest of `in`).
// Throws mta::PermError(all_removed_text) when a filter removes every part.
void transform_body(mta::io::Reader& in, std::string_view first, const BodyPlan& plan,
                    BodySink& sink);

// The trailer as it is written for plan (exposed for tests and the fuzzer).
std::string trailer_text(const BodyPlan& plan);

}  // namespace ezmlm::post
