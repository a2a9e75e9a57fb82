#include "ezmlm/lib/moderate_comment.h"

#include <string>

#include "ezmlm/lib/post_mime.h"
#include "mta/core/io.h"
#include "mta/core/message.h"
#include "mta/core/text.h"
#include "mta/core/transfer_encoding.h"

namespace ezmlm::moderate {
namespace {

// The largest quote prefix a marker line may carry.
constexpr std::size_t max_quote_prefix = 5;

struct Part {
  post::ContentType type;
  post::Cte cte = post::Cte::plain;
  std::string body;
};

// Header and body of a message or a MIME part held in memory.
Part read_part(std::string_view text) {
  auto in = mta::io::Reader::from_string(std::string(text));
  auto header = mta::message::read_header(in);
  Part part;
  const auto* ct = header.find("content-type");
  part.type = post::parse_content_type(ct ? ct->value() : std::string_view("text/plain"));
  if (!ct) part.type.type = "text/plain";
  const auto* cte = header.find("content-transfer-encoding");
  part.cte = cte ? post::parse_cte(cte->value()) : post::Cte::plain;
  part.body = header.body_start + in.read_all();
  return part;
}

// The first part of a multipart body worth reading a comment from: text/plain
// or untyped (the default of RFC 2046 5.1.3). nullopt when there is none.
std::optional<Part> first_text_part(std::string_view body, std::string_view boundary) {
  const std::string delimiter = "--" + std::string(boundary);
  std::optional<std::size_t> start;  // where the current part began
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t eol = body.find('\n', pos);
    std::size_t next = eol == std::string_view::npos ? body.size() : eol + 1;
    std::string_view line = body.substr(pos, next - pos);
    if (line.substr(0, delimiter.size()) == delimiter) {
      if (start) {
        Part part = read_part(body.substr(*start, pos - *start));
        if (part.type.type == "text/plain") return part;
      }
      std::string_view rest = line.substr(delimiter.size());
      if (rest.substr(0, 2) == "--") return std::nullopt;  // the closing delimiter
      start = next;
    }
    pos = next;
  }
  if (start) {  // no closing delimiter: the last part runs to the end
    Part part = read_part(body.substr(*start));
    if (part.type.type == "text/plain") return part;
  }
  return std::nullopt;
}

std::string decode(const Part& part) {
  switch (part.cte) {
    case post::Cte::base64: return mta::cte::base64_decode(part.body);
    case post::Cte::quoted_printable: return mta::cte::qp_decode(part.body);
    case post::Cte::plain: break;
  }
  return part.body;
}

// The quote prefix of a marker line, or nullopt if `line` is no marker.
std::optional<std::string_view> marker_prefix(std::string_view line) {
  std::size_t i = line.find('%');
  if (i == std::string_view::npos || i > max_quote_prefix) return std::nullopt;
  if (line.substr(i, 3) != "%%%") return std::nullopt;
  return line.substr(0, i);
}

}  // namespace

std::optional<std::string> comment_between_markers(std::string_view text) {
  std::optional<std::string_view> prefix;  // set once the opening marker is seen
  std::string comment;
  bool closed = false;
  mta::text::for_each_line(text, [&](std::size_t, std::string_view line) {
    if (closed) return;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (auto p = marker_prefix(line)) {
      if (!prefix) {
        prefix = *p;
        return;
      }
      closed = true;
      return;
    }
    if (!prefix) return;
    if (!prefix->empty() && line.substr(0, prefix->size()) == *prefix)
      line.remove_prefix(prefix->size());
    else if (!prefix->empty() && line == mta::text::trim_right(*prefix, mta::text::blanks))
      line = {};  // a mail client quotes an empty line as ">" without the space
    if (comment.size() + line.size() + 1 > max_comment_bytes) return;
    comment.append(line);
    comment.push_back('\n');
  });
  if (!closed || comment.find_first_not_of(" \t\n") == std::string::npos) return std::nullopt;
  return comment;
}

std::optional<std::string> extract_comment(std::string_view reply) {
  Part message = read_part(reply);
  if (message.type.multipart()) {
    if (message.type.boundary.empty()) return std::nullopt;
    auto part = first_text_part(message.body, message.type.boundary);
    if (!part) return std::nullopt;
    return comment_between_markers(decode(*part));
  }
  return comment_between_markers(decode(message));
}

}  // namespace ezmlm::moderate
