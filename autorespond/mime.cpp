// autorespond/mime.cpp — see mime.h. Specs: RFC 2045 (quoted-printable,
// base64, Content-Type), RFC 2046 5.1 (multipart boundaries), RFC 2047
// (encoded words), RFC 3629 (UTF-8).
#include "autorespond/mime.h"

#include <array>

#include "mta/core/address.h"
#include "mta/core/text.h"
#include "mta/core/transfer_encoding.h"

namespace autorespond::mime {

namespace {

void append_hex(std::string& out, unsigned char c) {
  static constexpr char digits[] = "0123456789ABCDEF";
  out.push_back('=');
  out.push_back(digits[c >> 4]);
  out.push_back(digits[c & 15]);
}

// Length of the UTF-8 sequence at s[k], or 0 if it is not well-formed.
std::size_t utf8_length(std::string_view s, std::size_t k) {
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char c = b(k);
  if (c < 0x80) return 1;
  std::size_t n;
  unsigned min;
  if ((c & 0xE0) == 0xC0) n = 2, min = 0x80;
  else if ((c & 0xF0) == 0xE0) n = 3, min = 0x800;
  else if ((c & 0xF8) == 0xF0) n = 4, min = 0x10000;
  else return 0;
  if (k + n > s.size()) return 0;
  unsigned cp = c & (0x7F >> n);
  for (std::size_t i = 1; i < n; ++i) {
    if ((b(k + i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k + i) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// The charset label of an encoded word or a Content-Type, reduced to the
// three we convert: "utf-8", "us-ascii", "iso-8859-1", or "" for others.
std::string known_charset(std::string_view cs) {
  std::string c = mta::address::ascii_lower(cs.substr(0, cs.find('*')));  // RFC 2231 language
  if (c == "utf-8" || c == "utf8") return "utf-8";
  if (c == "us-ascii" || c == "ascii" || c.empty()) return "us-ascii";
  if (c == "iso-8859-1" || c == "latin1" || c == "iso_8859-1") return "iso-8859-1";
  return "";
}

std::string to_utf8(std::string_view bytes, std::string_view charset) {
  std::string cs = known_charset(charset);
  if (cs == "iso-8859-1") return latin1_to_utf8(bytes);
  return force_utf8(bytes);
}

// One encoded word at text[k] ("=?cs?B?...?="): its decoded UTF-8 and its length.
std::optional<std::pair<std::string, std::size_t>> encoded_word(std::string_view text, std::size_t k) {
  if (text.compare(k, 2, "=?") != 0) return std::nullopt;
  std::size_t q1 = text.find('?', k + 2);
  if (q1 == std::string_view::npos || q1 + 2 >= text.size() || text[q1 + 2] != '?') return std::nullopt;
  std::size_t end = text.find("?=", q1 + 3);
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view charset = text.substr(k + 2, q1 - k - 2);
  std::string_view payload = text.substr(q1 + 3, end - q1 - 3);
  if (charset.empty() || payload.find_first_of(" \t\n") != std::string_view::npos) return std::nullopt;
  if (known_charset(charset).empty()) return std::nullopt;
  char enc = text[q1 + 1];
  std::string bytes;
  if (enc == 'B' || enc == 'b') {
    bytes = mta::cte::base64_decode(payload);
  } else if (enc == 'Q' || enc == 'q') {
    std::string under(payload);
    for (char& c : under)
      if (c == '_') c = ' ';
    bytes = mta::cte::qp_decode(under);
  } else {
    return std::nullopt;
  }
  return std::make_pair(to_utf8(bytes, charset), end + 2 - k);
}

using mta::text::trim;

}  // namespace

bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 128) return false;
  return true;
}

bool is_utf8(std::string_view s) {
  for (std::size_t k = 0; k < s.size();) {
    std::size_t n = utf8_length(s, k);
    if (n == 0) return false;
    k += n;
  }
  return true;
}

std::string latin1_to_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out.push_back(ch);
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

std::string force_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t k = 0; k < s.size();) {
    std::size_t n = utf8_length(s, k);
    if (n == 0) {
      out.push_back('?');
      ++k;
    } else {
      out.append(s.substr(k, n));
      k += n;
    }
  }
  return out;
}

std::string qp_encode(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    bool last = nl == std::string_view::npos;
    std::string_view line = text.substr(start, last ? std::string_view::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (last && line.empty()) break;
    std::string enc;
    for (std::size_t k = 0; k < line.size(); ++k) {
      auto c = static_cast<unsigned char>(line[k]);
      bool trailing_space = (c == ' ' || c == '\t') && k + 1 == line.size();
      std::string piece;
      if (c == '=' || c > 126 || (c < 32 && c != '\t') || trailing_space)
        append_hex(piece, c);
      else
        piece.push_back(static_cast<char>(c));
      // A soft break keeps every encoded line at 76 characters or fewer.
      if (enc.size() + piece.size() > 75) {
        out.append(enc).append("=\n");
        enc.clear();
      }
      enc += piece;
    }
    out.append(enc).push_back('\n');
    if (last) break;
    start = nl + 1;
  }
  return out;
}

std::string decode_words(std::string_view value) {
  std::string text = mta::message::unfold(value);
  std::string_view t = trim(text);
  std::string out;
  std::string pending_space;  // white space after an encoded word
  bool after_word = false;
  for (std::size_t k = 0; k < t.size();) {
    if (auto w = encoded_word(t, k)) {
      // RFC 2047 6.2: white space between two encoded words is dropped.
      if (!after_word) out += pending_space;
      pending_space.clear();
      out += w->first;
      k += w->second;
      after_word = true;
      continue;
    }
    if (t[k] == ' ' || t[k] == '\t') {
      pending_space.push_back(t[k]);
      ++k;
      continue;
    }
    out += pending_space;
    pending_space.clear();
    after_word = false;
    out.push_back(t[k]);
    ++k;
  }
  out += pending_space;
  return out;
}

void append_word(std::string& out, std::size_t& column, std::string_view word, bool separate, bool may_fold) {
  if (separate) {
    if (may_fold && column + 1 + word.size() > 78) {
      out += "\n ";
      column = 1;
    } else {
      out += ' ';
      ++column;
    }
  }
  out += word;
  column += word.size();
}

std::string encode_unstructured(std::string_view utf8, std::size_t start_column) {
  if (is_ascii(utf8) && utf8.find("=?") == std::string_view::npos) return std::string(utf8);
  // "=?UTF-8?B?" + text + "?=" is 12 characters around the base64; 75 at most
  // in all leaves 63 characters of base64, i.e. 45 bytes (whole characters).
  constexpr std::size_t max_bytes = 45;
  std::string out;
  std::size_t column = start_column;
  std::string clean = force_utf8(utf8);
  std::string_view rest = clean;
  while (!rest.empty()) {
    std::size_t take = 0;
    while (take < rest.size()) {
      std::size_t n = utf8_length(rest, take);
      if (n == 0) n = 1;
      if (take + n > max_bytes) break;
      take += n;
    }
    std::string word = "=?UTF-8?B?" + mta::cte::base64_encode(rest.substr(0, take)) + "?=";
    append_word(out, column, word, !out.empty(), true);
    rest.remove_prefix(take);
  }
  return out;
}

std::optional<std::string> encode_address_field(std::string_view value) {
  std::string unfolded = mta::message::unfold(value);
  if (is_ascii(unfolded)) return std::string(trim(unfolded));
  std::vector<mta::address::Item> items;
  try {
    items = mta::address::parse_address_list(unfolded);
  } catch (const mta::address::AddressError&) {
    return std::nullopt;
  }
  for (auto& item : items) {
    if (!is_ascii(item.group)) return std::nullopt;  // group names stay ASCII
    for (auto& m : item.members) {
      if (!is_ascii(m.address) || !is_ascii(m.comment)) return std::nullopt;
      if (is_ascii(m.phrase)) continue;
      std::string phrase = m.phrase;
      if (phrase.size() >= 2 && phrase.front() == '"' && phrase.back() == '"')
        phrase = phrase.substr(1, phrase.size() - 2);
      m.phrase = encode_unstructured(phrase, 0);
      for (char& c : m.phrase)
        if (c == '\n') c = ' ';
    }
  }
  return mta::address::format_address_list(items);
}

std::string ContentType::param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

ContentType parse_content_type(std::string_view value) {
  ContentType ct;
  std::string text = mta::message::unfold(value);
  std::string_view v = text;
  std::size_t semi = v.find(';');
  std::string type = mta::address::ascii_lower(trim(v.substr(0, semi)));
  // Comments are rare in Content-Type; a type with one is taken as text/plain.
  if (type.find('/') == std::string::npos || type.find_first_of(" \t()") != std::string::npos)
    return ct;
  ct.type = type;
  while (semi != std::string_view::npos) {
    v.remove_prefix(semi + 1);
    std::size_t eq = v.find('=');
    if (eq == std::string_view::npos) break;
    std::string name = mta::address::ascii_lower(trim(v.substr(0, eq)));
    v.remove_prefix(eq + 1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    std::string val;
    if (!v.empty() && v.front() == '"') {
      std::size_t k = 1;
      for (; k < v.size() && v[k] != '"'; ++k) {
        if (v[k] == '\\' && k + 1 < v.size()) ++k;
        val.push_back(v[k]);
      }
      v.remove_prefix(std::min(k + 1, v.size()));
      semi = v.find(';');
    } else {
      semi = v.find(';');
      val = std::string(trim(v.substr(0, semi)));
    }
    if (!name.empty()) ct.params.emplace(std::move(name), std::move(val));
  }
  return ct;
}

namespace {

// The header of a MIME part; the part's body goes into `body`.
mta::message::Header part_header(std::string_view part, std::string& body) {
  auto in = mta::io::Reader::from_string(std::string(part));
  mta::message::Header h = mta::message::read_header(in);
  body = h.body_start + in.read_all();
  return h;
}

// The parts of a multipart body (RFC 2046 5.1.1): the text between
// "--boundary" lines, up to "--boundary--".
std::vector<std::string_view> split_parts(std::string_view body, const std::string& boundary) {
  std::vector<std::string_view> parts;
  std::string delim = "--" + boundary;
  std::size_t pos = 0;
  std::size_t part_start = std::string_view::npos;
  while (pos < body.size()) {
    std::size_t nl = body.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? body.size() : nl;
    std::string_view line = body.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.substr(0, delim.size()) == delim) {
      std::string_view after = trim(line.substr(delim.size()));
      if (after.empty() || after == "--") {
        if (part_start != std::string_view::npos) {
          // The line break before the delimiter belongs to the delimiter.
          std::size_t stop = pos;
          if (stop > part_start && body[stop - 1] == '\n') --stop;
          if (stop > part_start && body[stop - 1] == '\r') --stop;
          parts.push_back(body.substr(part_start, stop - part_start));
        }
        if (after == "--") return parts;
        part_start = nl == std::string_view::npos ? body.size() : nl + 1;
      }
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  // No closing delimiter: the last part runs to the end.
  if (part_start != std::string_view::npos && part_start < body.size())
    parts.push_back(body.substr(part_start));
  return parts;
}

std::string decode_transfer(const mta::message::Header& header, std::string_view body) {
  const auto* cte = header.find("Content-Transfer-Encoding");
  std::string enc = cte ? mta::address::ascii_lower(trim(mta::message::unfold(cte->value()))) : "";
  if (enc == "base64") return mta::cte::base64_decode(body);
  if (enc == "quoted-printable") return mta::cte::qp_decode(body);
  return std::string(body);
}

}  // namespace

std::optional<std::string> text_part(const mta::message::Header& header, std::string_view body,
                                     int max_depth) {
  const auto* field = header.find("Content-Type");
  ContentType ct = field ? parse_content_type(field->value()) : ContentType{};
  if (ct.type == "text/plain") return to_utf8(decode_transfer(header, body), ct.param("charset"));
  if (!ct.is_multipart() || max_depth <= 0) return std::nullopt;
  std::string boundary = ct.param("boundary");
  if (boundary.empty()) return std::nullopt;
  for (std::string_view part : split_parts(body, boundary)) {
    std::string part_body;
    mta::message::Header h;
    try {
      h = part_header(part, part_body);
    } catch (const mta::message::HeaderTooLong&) {
      continue;
    }
    // A part without Content-Type is text/plain (RFC 2046 5.1), except in
    // multipart/digest, where it is message/rfc822: skip those.
    if (!h.has("Content-Type") && ct.type == "multipart/digest") continue;
    if (auto text = text_part(h, part_body, max_depth - 1)) return text;
  }
  return std::nullopt;
}

}  // namespace autorespond::mime
