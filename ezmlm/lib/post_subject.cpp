#include "ezmlm/lib/post_subject.h"

#include <cctype>

#include "mta/core/address.h"
#include "mta/core/text.h"
#include "mta/core/transfer_encoding.h"

namespace ezmlm::post {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// One encoded word "=?cs?E?text?=" at s[0..]: its decoded bytes and length.
bool encoded_word(std::string_view s, std::string& out, std::size_t& len) {
  if (s.size() < 8 || s[0] != '=' || s[1] != '?') return false;
  auto q1 = s.find('?', 2);
  if (q1 == std::string_view::npos || q1 + 3 >= s.size() || s[q1 + 2] != '?') return false;
  char enc = static_cast<char>(s[q1 + 1] & ~0x20);
  auto end = s.find("?=", q1 + 3);
  if (end == std::string_view::npos) return false;
  std::string_view text = s.substr(q1 + 3, end - q1 - 3);
  if (text.find_first_of(" \t\r\n") != std::string_view::npos) return false;
  std::string dec;
  if (enc == 'Q') {
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '_') {
        dec.push_back(' ');
      } else if (text[i] == '=' && i + 2 < text.size() + 0 && mta::cte::hex_value(text[i + 1]) >= 0 &&
                 mta::cte::hex_value(text[i + 2]) >= 0) {
        dec.push_back(static_cast<char>(mta::cte::hex_value(text[i + 1]) * 16 + mta::cte::hex_value(text[i + 2])));
        i += 2;
      } else {
        dec.push_back(text[i]);
      }
    }
  } else if (enc == 'B') {
    unsigned acc = 0;
    int bits = 0;
    for (char c : text) {
      if (c == '=') break;
      int v = mta::cte::base64_value(c);
      if (v < 0) return false;
      acc = (acc << 6) | static_cast<unsigned>(v);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        dec.push_back(static_cast<char>((acc >> bits) & 0xff));
      }
    }
  } else {
    return false;
  }
  out += dec;
  len = end + 2;
  return true;
}

// Drops ESC sequences of iso-2022-jp/-kr/-cn (ESC and the next two bytes).
std::string drop_iso2022(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\x1b') {
      i += 2;
      continue;
    }
    out.push_back(s[i]);
  }
  return out;
}

// Length of a reply indicator at the start of s, or 0.
std::size_t reply_indicator(std::string_view s) {
  auto sp = s.find(' ');
  std::string_view tok = s.substr(0, sp);
  if (tok.size() < 2 || tok.back() != ':') return 0;
  if (sp == std::string_view::npos && tok.size() != s.size()) return 0;
  if (tok.size() > 4) {
    char before = tok[tok.size() - 2];
    if (!std::isdigit(static_cast<unsigned char>(before)) && before != ')' && before != ']') return 0;
  }
  // The token itself must not contain a second ':' before the end ("a:b:").
  return sp == std::string_view::npos ? tok.size() : sp + 1;
}

// Length of prefix (with '#' = one or more digits, case-insensitive) at the
// start of s, or 0.
std::size_t prefix_at(std::string_view s, std::string_view prefix) {
  std::size_t i = 0;
  for (std::size_t p = 0; p < prefix.size(); ++p) {
    if (prefix[p] == '#') {
      std::size_t start = i;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      if (i == start) return 0;
      continue;
    }
    if (i >= s.size()) return 0;
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[p])))
      return 0;
    ++i;
  }
  return i;
}

std::string trimmed_prefix(std::string_view prefix) {
  std::string p = mta::text::one_line(prefix);
  return p;
}

}  // namespace

std::string decode_2047(std::string_view value) {
  std::string out;
  std::string pending_space;
  bool last_encoded = false;
  for (std::size_t i = 0; i < value.size();) {
    std::size_t len = 0;
    std::string dec;
    if (value[i] == '=' && encoded_word(value.substr(i), dec, len)) {
      // White space between two encoded words is not part of the text.
      if (!last_encoded) out += pending_space;
      pending_space.clear();
      out += dec;
      i += len;
      last_encoded = true;
      continue;
    }
    if (is_space(value[i])) {
      pending_space.push_back(' ');
      ++i;
      continue;
    }
    out += pending_space;
    pending_space.clear();
    out.push_back(value[i]);
    last_encoded = false;
    ++i;
  }
  out += pending_space;
  return mta::text::one_line(out);
}

bool has_prefix(std::string_view decoded_subject, std::string_view prefix) {
  std::string p = trimmed_prefix(prefix);
  if (p.empty()) return false;
  for (std::size_t i = 0; i < decoded_subject.size(); ++i)
    if (prefix_at(decoded_subject.substr(i), p)) return true;
  return false;
}

Subject normalise_subject(std::string_view raw_value, std::string_view prefix) {
  Subject s;
  std::string text = mta::text::one_line(drop_iso2022(decode_2047(raw_value)));
  std::string p = trimmed_prefix(prefix);
  std::string_view v = text;
  for (;;) {
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    if (std::size_t n = reply_indicator(v)) {
      s.reply = true;
      v.remove_prefix(n);
      continue;
    }
    if (!p.empty()) {
      if (std::size_t n = prefix_at(v, p)) {
        v.remove_prefix(n);
        continue;
      }
    }
    break;
  }
  std::string rest(v);
  // A trailing "-Reply" (old MUAs) is an indicator too.
  static constexpr std::string_view tail = "-reply";
  if (rest.size() >= tail.size() &&
      mta::address::iequals(std::string_view(rest).substr(rest.size() - tail.size()), tail)) {
    rest.resize(rest.size() - tail.size());
    s.reply = true;
  }
  s.stripped = mta::text::one_line(rest);
  return s;
}

Author author_of(std::string_view from_value) {
  Author a;
  std::string v = mta::text::one_line(from_value);
  std::vector<mta::address::Item> items;
  try {
    items = mta::address::parse_address_list(v);
  } catch (const mta::address::AddressError&) {
  }
  const mta::address::Mailbox* m = nullptr;
  for (const auto& item : items)
    if (!item.members.empty()) {
      m = &item.members.front();
      break;
    }
  if (!m || m->address.empty()) {
    a.name = decode_2047(v);
    a.hash_key = v;
    return a;
  }
  auto split = mta::address::split_at_last(m->address);
  std::string_view local = split.local;
  if (auto dash = local.find('-'); dash != std::string_view::npos) local = local.substr(0, dash);
  a.hash_key = std::string(m->angle ? "<" : "") + std::string(local) + "@" + std::string(split.domain);
  std::string name = m->phrase;
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
  if (name.empty() && m->comment.size() >= 2) name = m->comment.substr(1, m->comment.size() - 2);
  a.name = name.empty() ? m->address : decode_2047(name);
  return a;
}

std::string index_entry(unsigned long number, std::string_view subjhash, std::string_view subject,
                        std::string_view date, std::string_view authhash, std::string_view author) {
  std::string out = std::to_string(number);
  out += ": ";
  out += subjhash;
  out += ' ';
  out += mta::text::one_line(subject);
  out += "\n\t";
  out += mta::text::one_line(date);
  out += ';';
  out += authhash;
  out += ' ';
  out += mta::text::one_line(author);
  out += '\n';
  return out;
}

std::string index_date(std::string_view first_received, std::string_view date_field) {
  if (auto semi = first_received.rfind(';'); semi != std::string_view::npos) {
    std::string d = mta::text::one_line(first_received.substr(semi + 1));
    if (!d.empty()) return d;
  }
  return mta::text::one_line(date_field);
}

}  // namespace ezmlm::post
