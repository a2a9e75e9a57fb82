#include "ezmlm/lib/post_mime.h"

#include <algorithm>
#include <memory>

#include "mta/core/address.h"
#include "mta/core/exitcodes.h"
#include "mta/core/text.h"
#include "mta/core/transfer_encoding.h"

namespace ezmlm::post {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

using mta::text::trim;

// The charset name without the ":Q"/":B" suffix, and the encoding it asks for.
std::pair<std::string, char> split_charset(std::string_view cs) {
  auto colon = cs.rfind(':');
  if (colon != std::string_view::npos && colon + 2 == cs.size()) {
    char e = static_cast<char>(cs[colon + 1] & ~0x20);
    if (e == 'Q' || e == 'B') return {std::string(cs.substr(0, colon)), e};
  }
  return {std::string(cs), 0};
}

bool has_8bit(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 128; });
}

}  // namespace

// parse_content_type - type and boundary, leniently: a broken value is text/plain.
ContentType parse_content_type(std::string_view value) {
  ContentType ct;
  std::string v;
  for (char c : value)
    if (c != '\n' && c != '\r') v.push_back(c);
  std::string_view rest = v;
  auto semi = rest.find(';');
  std::string_view type = trim(rest.substr(0, semi));
  // Comments before the type are rare; a type must be token/token.
  ct.type = mta::address::ascii_lower(type);
  if (ct.type.find('/') == std::string::npos || ct.type.find_first_of(" \t(\"") != std::string::npos)
    ct.type = "text/plain";
  if (semi == std::string_view::npos) return ct;
  rest.remove_prefix(semi + 1);
  // Parameters: name=value or name="value"; the first boundary wins.
  while (!rest.empty()) {
    rest = trim(rest);
    auto eq = rest.find('=');
    if (eq == std::string_view::npos) break;
    std::string name = mta::address::ascii_lower(trim(rest.substr(0, eq)));
    rest.remove_prefix(eq + 1);
    rest = trim(rest);
    std::string val;
    if (!rest.empty() && rest.front() == '"') {
      std::size_t i = 1;
      for (; i < rest.size() && rest[i] != '"'; ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
        val.push_back(rest[i]);
      }
      rest.remove_prefix(std::min(rest.size(), i + 1));
      auto next = rest.find(';');
      rest.remove_prefix(next == std::string_view::npos ? rest.size() : next + 1);
    } else {
      auto end = rest.find(';');
      val = std::string(trim(rest.substr(0, end)));
      rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    }
    if (name == "boundary" && ct.boundary.empty()) ct.boundary = val;
  }
  return ct;
}

Cte parse_cte(std::string_view value) {
  std::string v = mta::address::ascii_lower(trim(value));
  auto end = v.find_first_of(" \t;(");
  if (end != std::string::npos) v.resize(end);
  if (v == "base64") return Cte::base64;
  if (v == "quoted-printable") return Cte::quoted_printable;
  return Cte::plain;
}

std::string encode_base64_text(std::string_view text) {
  std::string crlf;
  crlf.reserve(text.size() + text.size() / 16);
  for (char c : text) {
    if (c == '\n') crlf.push_back('\r');
    crlf.push_back(c);
  }
  std::string b64 = mta::cte::base64_encode(crlf);
  std::string out;
  for (std::size_t i = 0; i < b64.size(); i += 76) {
    out.append(b64, i, 76);
    out.push_back('\n');
  }
  return out;
}

std::string encode_qp(std::string_view text) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  std::size_t col = 0;
  auto emit = [&](std::string_view piece) {
    if (col + piece.size() > 75) {
      out += "=\n";
      col = 0;
    }
    out += piece;
    col += piece.size();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    bool eol_next = i + 1 == text.size() || text[i + 1] == '\n';
    if (c == '\n') {
      out.push_back('\n');
      col = 0;
    } else if ((c == ' ' || c == '\t') && !eol_next) {
      emit(std::string_view(text.data() + i, 1));
    } else if (c >= 33 && c <= 126 && c != '=') {
      emit(std::string_view(text.data() + i, 1));
    } else {
      char enc[3] = {'=', hex[c >> 4], hex[c & 15]};
      emit(std::string_view(enc, 3));
    }
  }
  return out;
}

bool MimeFilter::drops(std::string_view type) const {
  bool listed = std::find(types.begin(), types.end(), type) != types.end();
  switch (mode) {
    case Mode::remove: return listed;
    case Mode::keep: return !listed;
    case Mode::none: return false;
  }
  return false;
}

std::string trailer_text(const BodyPlan& plan) {
  if (!plan.trailer) return {};
  std::string t = *plan.trailer;
  if (!t.empty() && t.back() != '\n') t.push_back('\n');
  if (plan.type.multipart()) {
    auto [cs, enc] = split_charset(plan.charset);
    std::string part = "Content-Type: text/plain; charset=" + cs + "\n";
    if (enc == 'B') {
      part += "Content-Transfer-Encoding: base64\n\n" + encode_base64_text(t);
    } else if (enc == 'Q') {
      part += "Content-Transfer-Encoding: quoted-printable\n\n" + encode_qp(t);
    } else {
      part += std::string("Content-Transfer-Encoding: ") + (has_8bit(t) ? "8bit" : "7bit") + "\n\n" + t;
    }
    return part;
  }
  // After a blank line, in the body's own encoding.
  std::string sep = "\n" + t;
  switch (plan.cte) {
    case Cte::base64: return encode_base64_text(sep);
    case Cte::quoted_printable: return encode_qp(sep);
    case Cte::plain: return sep;
  }
  return sep;
}

namespace {

enum class Delim { none, part, close };

// Is `line` (without its LF) the delimiter "--B" or the closing "--B--"?
// RFC 2046 5.1.1 allows white space after either.
Delim delimiter(std::string_view line, std::string_view boundary) {
  if (line.size() < boundary.size() + 2 || line[0] != '-' || line[1] != '-' ||
      line.compare(2, boundary.size(), boundary) != 0)
    return Delim::none;
  std::string_view rest = line.substr(boundary.size() + 2);
  bool close = rest.size() >= 2 && rest[0] == '-' && rest[1] == '-';
  if (close) rest.remove_prefix(2);
  for (char c : rest)
    if (!is_space(c)) return Delim::none;
  return close ? Delim::close : Delim::part;
}

// The type of a part from its header lines (text/plain when none).
std::string part_type(const std::string& head) {
  std::string_view h = head;
  std::string value;
  bool in_ct = false;
  std::size_t pos = 0;
  while (pos < h.size()) {
    auto nl = h.find('\n', pos);
    std::string_view line = h.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? h.size() : nl + 1;
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      if (in_ct) value.append(line);
      continue;
    }
    if (in_ct) break;
    if (line.size() >= 13 && mta::address::iequals(line.substr(0, 13), "content-type:")) {
      in_ct = true;
      value = std::string(line.substr(13));
    }
  }
  if (!in_ct) return "text/plain";
  return parse_content_type(value).type;
}

// Plain copy: whole chunks, remembering only whether the body ended in LF.
void copy_plain(mta::io::Reader& in, std::string_view first, const BodyPlan& plan, BodySink& sink) {
  bool ends_nl = first.empty() || first.back() == '\n';
  bool any = !first.empty();
  if (!first.empty()) sink.both(first);
  // Not zero-filled: only the pages read() fills are touched (a short-lived
  // process pays for every page it touches first).
  constexpr std::size_t chunk = 65536;
  std::unique_ptr<char[]> buf(new char[chunk]);
  while (std::size_t n = in.read(buf.get(), chunk)) {
    sink.both(std::string_view(buf.get(), n));
    ends_nl = buf[n - 1] == '\n';
    any = true;
  }
  if (!plan.trailer) return;
  if (any && !ends_nl) sink.outgoing("\n");
  sink.outgoing(trailer_text(plan));
}

}  // namespace

void transform_body(mta::io::Reader& in, std::string_view first, const BodyPlan& plan, BodySink& sink) {
  const std::string& b = plan.type.boundary;
  bool mixed = plan.type.type == "multipart/mixed" || plan.type.type == "multipart/digest" ||
               plan.type.type == "multipart/parallel";
  if (!plan.type.multipart() || b.empty()) {
    // A multipart type without a boundary cannot be split; it passes as it is.
    if (plan.type.multipart()) {
      BodyPlan none = plan;
      none.trailer.reset();
      copy_plain(in, first, none, sink);
    } else {
      copy_plain(in, first, plan, sink);
    }
    return;
  }
  bool trailer = plan.trailer.has_value() && mixed;
  const bool filtering = plan.filter.active();

  enum class State { preamble, part_head, part_body, epilogue } state = State::preamble;
  std::string head;  // the delimiter line and header of the part being read
  bool keep = true;  // the current part is kept
  std::size_t kept = 0;
  std::string line;
  std::string_view pending = first;
  auto next_line = [&]() -> bool {
    // Lines come first from `first` (one line at most), then from `in`.
    if (!pending.empty()) {
      auto nl = pending.find('\n');
      if (nl == std::string_view::npos) {
        line.assign(pending);
        pending = {};
        std::string more;
        auto got = in.getline(more);
        line += more;
        if (got == mta::io::Reader::Got::line) line.push_back('\n');
        return true;
      }
      line.assign(pending.substr(0, nl + 1));
      pending.remove_prefix(nl + 1);
      return true;
    }
    auto got = in.getline(line);
    if (got == mta::io::Reader::Got::nothing) return false;
    if (got == mta::io::Reader::Got::line) line.push_back('\n');
    return true;
  };

  while (next_line()) {
    std::string_view text = line;
    if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    Delim d = state == State::epilogue ? Delim::none : delimiter(text, b);
    if (d == Delim::part) {
      if (state == State::part_head) {
        // A part with a header and no body: decide on what we have.
        keep = !filtering || !plan.filter.drops(part_type(head));
        if (keep) { sink.both(head); ++kept; }
      }
      head = line;
      state = State::part_head;
      continue;
    }
    if (d == Delim::close) {
      if (state == State::part_head) {
        keep = !filtering || !plan.filter.drops(part_type(head));
        if (keep) { sink.both(head); ++kept; }
      }
      if (filtering && kept == 0) throw mta::PermError(plan.all_removed_text, "");
      if (trailer) {
        sink.outgoing("--" + b + "\n");
        sink.outgoing(trailer_text(plan));
      }
      sink.both(line);
      state = State::epilogue;
      continue;
    }
    switch (state) {
      case State::preamble:
        if (!filtering) sink.both(line);
        break;
      case State::part_head:
        head += line;
        if (text.empty() || text == "\r") {
          keep = !filtering || !plan.filter.drops(part_type(head));
          if (keep) {
            sink.both(head);
            ++kept;
          }
          head.clear();
          state = State::part_body;
        }
        break;
      case State::part_body:
        if (keep) sink.both(line);
        break;
      case State::epilogue:
        sink.both(line);
        break;
    }
  }
  // End of input without the closing delimiter: keep what we have, no trailer.
  if (state == State::part_head) {
    keep = !filtering || !plan.filter.drops(part_type(head));
    if (keep) { sink.both(head); ++kept; }
  }
  if (filtering && kept == 0) throw mta::PermError(plan.all_removed_text, "");
}

}  // namespace ezmlm::post
