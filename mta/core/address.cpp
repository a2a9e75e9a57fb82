// mta/core/address.cpp — RFC 822 lexical tokens and address lists.
//
// Spec notes. RFC 822 section 3.3 (lexical tokens) and 6.1 (address syntax);
// RFC 5322 3.4 keeps the same shapes and obsoletes the source route, which we
// still parse so that qmail-inject can drop it (its rewriting rule 2). Like
// qmail's token822 a CR or LF is white space, and a run of words without a
// separator ("djb fred") is read as several addresses.
#include "mta/core/address.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace mta::address {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// RFC 822 specials plus the white space that ends an atom.
bool ends_atom(char c) { return is_space(c) || std::strchr("()<>@,;:\\\".[]", c) != nullptr; }

// Reads a delimited run (quoted string, comment, literal) starting after its
// opening byte; returns the text with escapes removed and moves `i` past the end.
std::string read_delimited(std::string_view s, std::size_t& i, char open, char close, bool nests,
                           const char* what) {
  std::string out;
  int depth = 1;
  while (i < s.size()) {
    char c = s[i++];
    if (c == '\\') {
      if (i == s.size()) break;
      out.push_back(s[i++]);
      continue;
    }
    if (nests && c == open) ++depth;
    if (c == close && --depth == 0) return out;
    out.push_back(c);
  }
  throw AddressError(std::string("unbalanced ") + what);
}

bool is_word(const Token& t) { return t.kind == Token::Kind::atom || t.kind == Token::Kind::quoted; }
bool is_special(const Token& t, char c) {
  return t.kind == Token::Kind::special && t.text.size() == 1 && t.text[0] == c;
}

// text between open and close, with a backslash before each of `specials`.
// (Built by appending: GCC 12 warns falsely about "x" + std::string.)
std::string escape(std::string_view text, const char* specials, char open = 0, char close = 0) {
  std::string out;
  out.reserve(text.size() + 2);
  if (open) out.push_back(open);
  for (char c : text) {
    if (std::strchr(specials, c)) out.push_back('\\');
    out.push_back(c);
  }
  if (close) out.push_back(close);
  return out;
}

// A token as it is written back into a header.
std::string unparse(const Token& t) {
  switch (t.kind) {
    case Token::Kind::quoted: return escape(t.text, "\"\\\r\n", '"', '"');
    case Token::Kind::comment: return escape(t.text, "()\\\r\n", '(', ')');
    case Token::Kind::literal: return escape(t.text, "[]\\\r\n", '[', ']');
    default: return t.text;
  }
}

// Tokens joined the way people write them: words apart, dots tight.
std::string unparse_run(const std::vector<Token>& tokens, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t k = from; k < to; ++k) {
    bool tight = k > from && (is_special(tokens[k], '.') || is_special(tokens[k - 1], '.'));
    if (k > from && !tight) out.push_back(' ');
    out += unparse(tokens[k]);
  }
  return out;
}

void append_comment(std::string& comment, const Token& t) {
  if (!comment.empty()) comment.push_back(' ');
  comment += unparse(t);
}

// An addr-spec (words, dots, '@', domain parts; no comments) in internal form.
std::string addr_spec(const std::vector<Token>& spec) {
  std::string out;
  for (const Token& t : spec) {
    if (t.kind == Token::Kind::literal) {
      out += "[" + t.text + "]";
    } else if (t.kind == Token::Kind::special && !is_special(t, '.') && !is_special(t, '@')) {
      throw AddressError("unexpected '" + t.text + "' in address");
    } else {
      out += t.text;
    }
  }
  return out;
}

// "Phrase <route:addr> (comment)".
Mailbox parse_angle(const std::vector<Token>& seg, std::size_t lt) {
  Mailbox m;
  m.angle = true;
  m.phrase = unparse_run(seg, 0, lt);
  std::size_t gt = lt + 1;
  while (gt < seg.size() && !is_special(seg[gt], '>')) {
    if (is_special(seg[gt], '<')) throw AddressError("'<' inside <>");
    ++gt;
  }
  if (gt == seg.size()) throw AddressError("missing '>'");
  for (std::size_t k = gt + 1; k < seg.size(); ++k) {
    if (seg[k].kind != Token::Kind::comment) throw AddressError("text after '>'");
    append_comment(m.comment, seg[k]);
  }
  std::vector<Token> inside;
  for (std::size_t k = lt + 1; k < gt; ++k)
    if (seg[k].kind != Token::Kind::comment) inside.push_back(seg[k]);
  std::size_t start = 0;
  if (!inside.empty() && is_special(inside[0], '@')) {
    // A source route "@a,@b:" ends at the first ':'.
    auto colon = std::find_if(inside.begin(), inside.end(), [](const Token& t) { return is_special(t, ':'); });
    if (colon == inside.end()) throw AddressError("source route without ':'");
    // Kept as written (quotes and literals re-serialised, comments dropped),
    // so that format_address_list() gives text that parses back the same.
    for (auto it = inside.begin(); it != colon; ++it)
      if (it->kind != Token::Kind::comment) m.route += unparse(*it);
    start = static_cast<std::size_t>(colon - inside.begin()) + 1;
  }
  m.address = addr_spec(std::vector<Token>(inside.begin() + static_cast<std::ptrdiff_t>(start), inside.end()));
  return m;
}

// Bare addr-specs; a word right after a complete word starts a new address.
void parse_bare(const std::vector<Token>& seg, std::vector<Item>& out) {
  std::vector<Token> spec;
  std::string comment;
  auto flush = [&] {
    if (spec.empty()) {
      // Only comments: nothing to deliver to, nothing to keep.
      comment.clear();
      return;
    }
    Item item;
    std::string a = addr_spec(spec);
    // A bare "" is the empty address: it can only be written back as <>.
    bool angle = a.empty();
    item.members.push_back(Mailbox{"", "", std::move(a), angle, comment});
    out.push_back(std::move(item));
    spec.clear();
    comment.clear();
  };
  for (const Token& t : seg) {
    if (t.kind == Token::Kind::comment) {
      append_comment(comment, t);
      continue;
    }
    if (is_special(t, '>')) throw AddressError("missing '<'");
    bool word = is_word(t) || t.kind == Token::Kind::literal;
    if (word && !spec.empty()) {
      const Token& prev = spec.back();
      if (!is_special(prev, '.') && !is_special(prev, '@')) flush();
    }
    spec.push_back(t);
  }
  flush();
}

void parse_segment(const std::vector<Token>& seg, std::vector<Item>& out) {
  auto lt = std::find_if(seg.begin(), seg.end(), [](const Token& t) { return is_special(t, '<'); });
  if (lt == seg.end()) {
    parse_bare(seg, out);
    return;
  }
  Item item;
  item.members.push_back(parse_angle(seg, static_cast<std::size_t>(lt - seg.begin())));
  out.push_back(std::move(item));
}

// The end of one address: the next ',' ';' or group ':' outside <>.
std::size_t segment_end(const std::vector<Token>& t, std::size_t pos) {
  bool in_angle = false;
  for (std::size_t j = pos; j < t.size(); ++j) {
    if (is_special(t[j], '<')) in_angle = true;
    if (is_special(t[j], '>')) in_angle = false;
    if (in_angle) continue;
    if (is_special(t[j], ',') || is_special(t[j], ';') || is_special(t[j], ':')) return j;
  }
  return t.size();
}

std::vector<Mailbox> members_of(std::vector<Item>&& items) {
  std::vector<Mailbox> out;
  for (auto& item : items) {
    if (item.is_group) throw AddressError("group inside a group");
    for (auto& m : item.members) out.push_back(std::move(m));
  }
  return out;
}

// Parses items from `pos` up to the end, or up to ';' when in a group.
std::vector<Item> parse_items(const std::vector<Token>& t, std::size_t& pos, bool in_group) {
  std::vector<Item> items;
  while (pos < t.size()) {
    if (is_special(t[pos], ',')) {
      ++pos;
      continue;
    }
    if (is_special(t[pos], ';')) {
      if (in_group) return items;
      throw AddressError("';' without a group");
    }
    std::size_t end = segment_end(t, pos);
    std::vector<Token> seg(t.begin() + static_cast<std::ptrdiff_t>(pos), t.begin() + static_cast<std::ptrdiff_t>(end));
    if (end < t.size() && is_special(t[end], ':')) {
      if (in_group) throw AddressError("':' inside a group");
      Item group;
      group.is_group = true;
      group.group = unparse_run(seg, 0, seg.size());
      pos = end + 1;
      group.members = members_of(parse_items(t, pos, true));
      if (pos < t.size()) ++pos;  // the ';' (a missing one at the end is forgiven)
      items.push_back(std::move(group));
      continue;
    }
    parse_segment(seg, items);
    pos = end;
  }
  return items;
}

bool is_atext(unsigned char c) {
  return std::isalnum(c) || (c < 128 && std::strchr("!#$%&'*+-/=?^_`{|}~", c) != nullptr && c != 0);
}

}  // namespace

std::vector<Token> tokenize(std::string_view s) {
  if (s.size() > max_field_bytes) throw AddressError("address list too long");
  if (s.find('\0') != std::string_view::npos) throw AddressError("NUL in address");
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (is_space(c)) {
      ++i;
    } else if (c == '"') {
      ++i;
      out.push_back({Token::Kind::quoted, read_delimited(s, i, '"', '"', false, "quotes")});
    } else if (c == '(') {
      ++i;
      out.push_back({Token::Kind::comment, read_delimited(s, i, '(', ')', true, "comment")});
    } else if (c == '[') {
      ++i;
      out.push_back({Token::Kind::literal, read_delimited(s, i, '[', ']', false, "domain literal")});
    } else if (c == ')' || c == ']' || c == '\\') {
      throw AddressError(std::string("stray '") + c + "'");
    } else if (ends_atom(c)) {
      out.push_back({Token::Kind::special, std::string(1, c)});
      ++i;
    } else {
      std::size_t j = i;
      while (j < s.size() && !ends_atom(s[j])) ++j;
      out.push_back({Token::Kind::atom, std::string(s.substr(i, j - i))});
      i = j;
    }
  }
  return out;
}

std::vector<Item> parse_address_list(std::string_view text) {
  std::vector<Token> tokens = tokenize(text);
  std::size_t pos = 0;
  return parse_items(tokens, pos, false);
}

std::string format_mailbox(const Mailbox& m) {
  std::string out;
  if (m.angle) {
    if (!m.phrase.empty()) out += m.phrase + " ";
    out += "<";
    if (!m.route.empty()) out += m.route + ":";
    out += quote(m.address) + ">";
  } else {
    out += quote(m.address);
  }
  if (!m.comment.empty()) out += " " + m.comment;
  return out;
}

std::string format_address_list(const std::vector<Item>& items, std::size_t start_column, std::size_t fold_at) {
  std::vector<std::string> pieces;
  for (const Item& item : items) {
    if (!item.is_group) {
      for (const Mailbox& m : item.members) pieces.push_back(format_mailbox(m));
      continue;
    }
    std::string g = item.group + ":";
    for (std::size_t k = 0; k < item.members.size(); ++k) g += (k ? ", " : " ") + format_mailbox(item.members[k]);
    pieces.push_back(g + ";");
  }
  std::string out;
  std::size_t col = start_column;
  for (std::size_t k = 0; k < pieces.size(); ++k) {
    if (k) {
      out.push_back(',');
      ++col;
      if (col + 1 + pieces[k].size() > fold_at) {
        out += "\n  ";
        col = 2;
      } else {
        out.push_back(' ');
        ++col;
      }
    }
    out += pieces[k];
    col += pieces[k].size();
  }
  return out;
}

bool local_is_atom(std::string_view local) {
  if (local.empty() || local.front() == '.' || local.back() == '.') return false;
  if (local.find("..") != std::string_view::npos) return false;
  return std::all_of(local.begin(), local.end(),
                     [](char c) { return c == '.' || is_atext(static_cast<unsigned char>(c)); });
}

std::string quote(std::string_view address) {
  if (address.empty()) return {};
  Split sp = split_at_last(address);
  std::string out;
  if (local_is_atom(sp.local)) {
    out.assign(sp.local);
  } else {
    out = escape(sp.local, "\r\n\"\\", '"', '"');
  }
  if (sp.has_at) {
    out.push_back('@');
    out.append(sp.domain);
  }
  return out;
}

Split split_at_last(std::string_view address) {
  std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return {address, {}, false};
  return {address.substr(0, at), address.substr(at + 1), true};
}

std::optional<std::string> check_envelope_address(std::string_view address) {
  if (address.size() > max_envelope_address) return "address too long";
  for (char c : address) {
    if (c == '\0') return "NUL in address";
    if (c == '\r' || c == '\n') return "CR or LF in address";
  }
  return std::nullopt;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    char x = a[k], y = b[k];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace mta::address
