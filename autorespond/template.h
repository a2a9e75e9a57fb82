// autorespond/template.h — the MESSAGE file: a reply template.
//
// The file is an RFC 5322 message: header fields (From, Subject, Reply-To,
// Content-Type ...), an empty line, the body. qmailadmin writes exactly
// that. autorespond 2.0 printed a blank line after its own Subject, so these
// headers ended up in the body of every reply; we parse them as headers. A
// file whose first line is not a header field is all body (a plain text
// file works too). The template may use
//   %S  the original subject (RFC 2047 decoded)
//   %s  the envelope sender of the original
//   %%  a '%'
// in its Subject and its body; any other '%' stays as it is.
//
// A template that cannot make a sensible reply is refused with TemplateError
// (autorespond exits 111, as 2.0 does for a missing file): missing,
// unreadable, empty, holding only header fields, holding NUL bytes (binary),
// or with 8-bit text that is not UTF-8 and declares no charset.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

#include "mta/core/message.h"

namespace autorespond {

class TemplateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Template {
  mta::message::Header header;  // the file's own fields, in order
  std::string body;             // everything after them, as bytes
};

// Parses the text of a MESSAGE file; throws TemplateError.
Template parse_template(std::string_view text);
// Reads and parses a MESSAGE file; throws TemplateError (also for a missing file).
Template load_template(const std::filesystem::path& path);

// %S, %s and %% replaced.
std::string substitute(std::string_view text, std::string_view subject, std::string_view sender);

}  // namespace autorespond
