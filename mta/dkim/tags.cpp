// mta/dkim/tags.cpp — DKIM tag-list parsing (see tags.h).
#include "mta/dkim/tags.h"

#include <algorithm>
#include <charconv>

#include "mta/core/exitcodes.h"
#include "mta/core/text.h"
#include "mta/core/transfer_encoding.h"

namespace mta::dkim {

namespace {

// FWS as it appears in our header text: the line breaks are still there.
bool is_fws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
// VALCHAR = %x21-3A / %x3C-7E (everything visible but ';').
bool is_valchar(char c) { return c >= 0x21 && c <= 0x7e && c != ';'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return lower(x) == lower(y);
         });
}

std::string strip_fws(std::string_view s) {
  std::string out;
  for (char c : s)
    if (!is_fws(c)) out += c;
  return out;
}

// parse_number - 1*12DIGIT (RFC 6376 allows 76 digits; we refuse what does not fit).
std::uint64_t parse_number(std::string_view tag, std::string_view v) {
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || v.size() > 18)
    throw SyntaxError(cat("bad ", tag, "= value"));
  return n;
}

std::string required_base64(std::string_view tag, std::string_view v) {
  auto bytes = mta::cte::base64_decode_strict(v);
  if (!bytes) throw SyntaxError(cat("bad base64 in ", tag, "="));
  return *bytes;
}

const Tag* find(const std::vector<Tag>& tags, std::string_view name) {
  for (const auto& t : tags)
    if (t.name == name) return &t;
  return nullptr;
}

// split_colon - the h= list: names separated by ':' with FWS around them.
std::vector<std::string> split_colon(std::string_view v) {
  std::vector<std::string> out;
  for (;;) {
    std::size_t c = v.find(':');
    std::string_view item = text::trim(v.substr(0, c));
    if (item.empty()) throw SyntaxError("empty header name in h=");
    for (char ch : item)
      if (ch <= 0x20 || ch > 0x7e) throw SyntaxError("bad header name in h=");
    out.emplace_back(item);
    if (c == std::string_view::npos) return out;
    v.remove_prefix(c + 1);
  }
}

}  // namespace

// parse_tags - tag-list = tag-spec *( ";" tag-spec ) [ ";" ]
std::vector<Tag> parse_tags(std::string_view text) {
  std::vector<Tag> tags;
  std::size_t i = 0, n = text.size();
  auto skip_fws = [&] {
    while (i < n && is_fws(text[i])) ++i;
  };
  for (;;) {
    skip_fws();
    if (i == n) {
      // "" or a trailing ';' are fine; ";;" or "a=1;  ;" are not (checked below)
      return tags;
    }
    // tag-name = ALPHA *ALNUMPUNC
    std::size_t name_start = i;
    if (!is_alpha(text[i])) throw SyntaxError(tags.empty() && text[i] == ';' ? "empty tag list entry" : "bad tag name");
    while (i < n && (is_alpha(text[i]) || is_digit(text[i]) || text[i] == '_')) ++i;
    std::string_view name = text.substr(name_start, i - name_start);
    skip_fws();
    if (i == n || text[i] != '=') throw SyntaxError(cat("missing '=' after tag ", name));
    ++i;
    skip_fws();
    // tag-value: VALCHARs and FWS up to ';' or the end; trailing FWS dropped
    std::size_t value_start = i, value_end = i;
    while (i < n && text[i] != ';') {
      if (is_valchar(text[i])) value_end = i + 1;
      else if (!is_fws(text[i])) throw SyntaxError(cat("bad character in tag ", name));
      ++i;
    }
    if (find(tags, name)) throw SyntaxError(cat("tag ", name, " given twice"));
    tags.push_back({name, text.substr(value_start, value_end - value_start), value_start});
    if (i == n) return tags;
    ++i;  // the ';'
    std::size_t after = i;
    skip_fws();
    if (i < n && text[i] == ';') throw SyntaxError("empty tag list entry");
    i = after;
  }
}

std::string_view algorithm_name(Algorithm a) {
  return a == Algorithm::rsa_sha256 ? "rsa-sha256" : "ed25519-sha256";
}

std::string_view canon_name(Canon c) { return c == Canon::simple ? "simple" : "relaxed"; }

namespace {

Canon parse_canon(std::string_view v) {
  if (v == "simple") return Canon::simple;
  if (v == "relaxed") return Canon::relaxed;
  throw SyntaxError(cat("unknown canonicalization ", v));
}

}  // namespace

// parse_signature - RFC 6376 3.5, with the checks of 6.1.1.
Signature parse_signature(std::string_view value) {
  std::vector<Tag> tags = parse_tags(value);
  Signature sig;
  auto need = [&](std::string_view name) -> std::string_view {
    const Tag* t = find(tags, name);
    if (!t) throw SyntaxError(cat("missing ", name, "= tag"));
    return t->value;
  };
  if (need("v") != "1") throw SyntaxError("unsupported version (v= is not 1)");
  std::string_view a = need("a");
  if (a == "rsa-sha256") sig.algorithm = Algorithm::rsa_sha256;
  else if (a == "ed25519-sha256") sig.algorithm = Algorithm::ed25519_sha256;
  else if (a == "rsa-sha1") throw SyntaxError("rsa-sha1 is no longer accepted (RFC 8301)");
  else throw SyntaxError(cat("unknown algorithm ", a));
  sig.b = required_base64("b", need("b"));
  if (sig.b.empty()) throw SyntaxError("empty b= tag");
  sig.bh = required_base64("bh", need("bh"));
  if (sig.bh.size() != 32) throw SyntaxError("bh= is not a SHA-256 hash");
  sig.domain = to_lower(need("d"));
  if (sig.domain.empty()) throw SyntaxError("empty d= tag");
  sig.selector = std::string(need("s"));
  if (sig.selector.empty()) throw SyntaxError("empty s= tag");
  sig.headers = split_colon(need("h"));
  if (std::none_of(sig.headers.begin(), sig.headers.end(), [](const std::string& h) { return iequals(h, "from"); }))
    throw SyntaxError("h= does not include From");
  if (const Tag* c = find(tags, "c")) {
    std::string_view v = c->value;
    std::size_t slash = v.find('/');
    sig.header_canon = parse_canon(v.substr(0, slash));
    if (slash != std::string_view::npos) sig.body_canon = parse_canon(v.substr(slash + 1));
  }
  if (const Tag* q = find(tags, "q")) {
    if (strip_fws(q->value).find("dns/txt") == std::string::npos) throw SyntaxError("q= without dns/txt");
  }
  if (const Tag* l = find(tags, "l")) sig.length = parse_number("l", l->value);
  if (const Tag* t = find(tags, "t")) sig.timestamp = parse_number("t", t->value);
  if (const Tag* x = find(tags, "x")) {
    sig.expires = parse_number("x", x->value);
    if (sig.timestamp && *sig.expires <= *sig.timestamp) throw SyntaxError("x= is not after t=");
  }
  sig.identity = "@" + sig.domain;
  if (const Tag* i = find(tags, "i")) {
    sig.identity = std::string(i->value);
    std::size_t at = sig.identity.rfind('@');
    if (at == std::string::npos) throw SyntaxError("i= without @");
    std::string idom = to_lower(std::string_view(sig.identity).substr(at + 1));
    bool within = idom == sig.domain ||
                  (idom.size() > sig.domain.size() && idom.ends_with(sig.domain) &&
                   idom[idom.size() - sig.domain.size() - 1] == '.');
    if (!within) throw SyntaxError("i= is not within d=");
  }
  // The header hash covers the field with the b= value removed (3.7).
  const Tag* b = find(tags, "b");
  sig.value_without_b = cat(value.substr(0, b->value_offset), value.substr(b->value_offset + b->value.size()));
  return sig;
}

// parse_key_record - RFC 6376 3.6.1 and RFC 8463 (k=ed25519).
KeyRecord parse_key_record(std::string_view text) {
  std::vector<Tag> tags = parse_tags(text);
  KeyRecord key;
  if (const Tag* v = find(tags, "v")) {
    if (&tags.front() != v) throw SyntaxError("v= is not the first tag of the key record");
    if (v->value != "DKIM1") throw SyntaxError("key record version is not DKIM1");
  }
  if (const Tag* h = find(tags, "h")) {
    bool sha256 = false;
    for (const auto& a : split_colon(h->value)) sha256 = sha256 || a == "sha256";
    if (!sha256) throw SyntaxError("key record h= does not allow sha256");
  }
  if (const Tag* k = find(tags, "k")) {
    if (k->value == "rsa") key.key_type = Algorithm::rsa_sha256;
    else if (k->value == "ed25519") key.key_type = Algorithm::ed25519_sha256;
    else throw SyntaxError(cat("unknown key type ", k->value));
  }
  if (const Tag* s = find(tags, "s")) {
    bool email = false;
    for (const auto& t : split_colon(s->value)) email = email || t == "*" || t == "email";
    if (!email) throw SyntaxError("key record is not for email (s=)");
  }
  if (const Tag* t = find(tags, "t")) {
    for (const auto& f : split_colon(t->value)) {
      if (f == "y") key.testing = true;
      if (f == "s") key.strict_identity = true;
    }
  }
  const Tag* p = find(tags, "p");
  if (!p) throw SyntaxError("key record without p=");
  key.public_key = required_base64("p", p->value);
  return key;
}

}  // namespace mta::dkim
