// mta/render/oneclick.cpp — see oneclick.h.
#include "mta/render/oneclick.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <functional>
#include <memory>

#include "mta/core/address.h"
#include "mta/core/exitcodes.h"
#include "mta/core/sodium.h"

namespace mta::oneclick {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";
constexpr char upper_hex_digits[] = "0123456789ABCDEF";  // RFC 3986 2.1 prefers upper case

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool all_digits(std::string_view s) {
  if (s.empty() || s.size() > 19) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// A marker value may hold no white space or control characters: it is one line.
bool plain_token(std::string_view s) {
  for (unsigned char c : s)
    if (c <= ' ' || c == 0x7f) return false;
  return !s.empty();
}

}  // namespace

struct Hmac::State {
  crypto_auth_hmacsha256_state keyed;
};

Hmac::Hmac(std::string_view key) : state_(std::make_unique<State>()) {
  sodium::sodium_ready();
  crypto_auth_hmacsha256_init(&state_->keyed, reinterpret_cast<const unsigned char*>(key.data()), key.size());
}

Hmac::Hmac(Hmac&&) noexcept = default;
Hmac& Hmac::operator=(Hmac&&) noexcept = default;

Hmac::~Hmac() {
  if (state_) sodium_memzero(&state_->keyed, sizeof state_->keyed);
}

std::string Hmac::operator()(std::string_view data) const {
  crypto_auth_hmacsha256_state st = state_->keyed;
  unsigned char out[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  crypto_auth_hmacsha256_final(&st, out);
  sodium_memzero(&st, sizeof st);
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}

std::string hmac_sha256(std::string_view key, std::string_view data) { return Hmac(key)(data); }

std::string to_hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(hex_digits[c >> 4]);
    out.push_back(hex_digits[c & 15]);
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

bool equal_ct(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  sodium::sodium_ready();
  return ::sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string message_key(std::string_view list_key, std::string_view list, unsigned long number, std::time_t when) {
  return to_hex(hmac_sha256(list_key, cat("oneclick|", list, "|", std::to_string(number), "|",
                                          std::to_string(static_cast<long long>(when)))));
}

std::string recipient_mac(std::string_view message_key_hex, std::string_view address) {
  auto key = from_hex(message_key_hex);
  if (!key) throw TempError("bad one-click message key", "4.3.0");
  return recipient_mac(Hmac(*key), address);
}

std::string recipient_mac(const Hmac& message_key, std::string_view address) {
  return to_hex(message_key(address).substr(0, mac_hex_length / 2));
}

std::string format_marker(const Marker& m) {
  return cat("v1 l=", m.list, " n=", std::to_string(m.number), " t=", std::to_string(static_cast<long long>(m.when)),
             " k=", m.key, " u=", m.url);
}

std::optional<Marker> parse_marker(std::string_view value) {
  Marker m;
  bool version = false, n = false, t = false;
  std::size_t at = 0;
  while (at < value.size()) {
    std::size_t end = value.find_first_of(" \t\r\n", at);
    if (end == std::string_view::npos) end = value.size();
    std::string_view word = value.substr(at, end - at);
    at = end + 1;
    if (word.empty()) continue;
    if (word == "v1") { version = true; continue; }
    if (word.size() < 2 || word[1] != '=') return std::nullopt;
    std::string_view v = word.substr(2);
    switch (word[0]) {
      case 'l': m.list = v; break;
      case 'n':
        if (!all_digits(v)) return std::nullopt;
        m.number = std::strtoul(std::string(v).c_str(), nullptr, 10), n = true;
        break;
      case 't':
        if (!all_digits(v)) return std::nullopt;
        m.when = static_cast<std::time_t>(std::strtoll(std::string(v).c_str(), nullptr, 10)), t = true;
        break;
      case 'k': m.key = v; break;
      case 'u': m.url = v; break;
      default: return std::nullopt;
    }
  }
  if (!version || !n || !t || m.key.size() != 64 || !from_hex(m.key) || !plain_token(m.url) ||
      m.url.find('?') != std::string::npos || !plain_token(m.list) || m.list.find('@') == std::string::npos)
    return std::nullopt;
  return m;
}

std::string percent_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(upper_hex_digits[c >> 4]);
      out.push_back(upper_hex_digits[c & 15]);
    }
  }
  return out;
}

namespace {

std::string url_with_mac(const Marker& m, std::string_view address, std::string_view mac) {
  return cat(m.url, "?l=", percent_encode(m.list), "&a=", percent_encode(address), "&n=", std::to_string(m.number),
             "&t=", std::to_string(static_cast<long long>(m.when)), "&m=", mac);
}

}  // namespace

std::string unsubscribe_url(const Marker& m, std::string_view address) {
  return url_with_mac(m, address, recipient_mac(m.key, address));
}

std::string unsubscribe_mailto(const Marker& m, std::string_view address) {
  // ezmlm's target form: LIST-unsubscribe-BOX=DOM@HOST names the address.
  auto list = address::split_at_last(m.list);
  auto rcpt = address::split_at_last(address);
  std::string target = rcpt.has_at ? cat(rcpt.local, "=", rcpt.domain) : std::string(address);
  // A mailto URI is a URI: reserved characters of the local part escaped.
  return cat("mailto:", percent_encode(cat(list.local, "-unsubscribe-", target)), "@", list.domain);
}

namespace {

// The List-Unsubscribe-Post field every copy has after its List-Unsubscribe.
message::Field one_click_post() { return message::make_field("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"); }

bool dropped(const message::Field& f) {
  return address::iequals(f.name, "List-Unsubscribe") || address::iequals(f.name, "List-Unsubscribe-Post");
}

message::Field unsubscribe_field(const Marker& m, std::string_view address, std::string_view mac) {
  return message::make_field(
      "List-Unsubscribe", cat("<", unsubscribe_mailto(m, address), ">,\n <", url_with_mac(m, address, mac), ">"));
}

// rendered - the queued header with the marker replaced by the copy's two
// fields and any List-Unsubscribe* dropped; `mac` is the recipient's MAC.
message::Header rendered(const message::Header& queued, const Marker& m, std::string_view address,
                         std::string_view mac) {
  const message::Field unsubscribe = unsubscribe_field(m, address, mac);
  message::Header out;
  out.blank_inserted = queued.blank_inserted;
  out.ended_by_blank = queued.ended_by_blank;
  out.body_start = queued.body_start;
  out.fields.reserve(queued.fields.size() + 1);
  for (const message::Field& f : queued.fields) {
    if (dropped(f)) continue;
    if (address::iequals(f.name, marker_field)) {
      out.fields.push_back(unsubscribe);
      out.fields.push_back(one_click_post());
      continue;
    }
    out.fields.push_back(f);
  }
  return out;
}

}  // namespace

message::Header render_header(const message::Header& queued, const Marker& m, std::string_view address) {
  return rendered(queued, m, address, recipient_mac(m.key, address));
}

message::Header render_header(const Prepared& p, std::string_view address) {
  return rendered(p.header, p.marker, address, recipient_mac(*p.mac, address));  // prepare() keyed mac
}

std::optional<Prepared> prepare(int fd, off_t start) {
  if (::lseek(fd, start, SEEK_SET) < 0) throw TempError("unable to rewind the message", "4.3.0");
  io::Reader in(fd);
  Prepared p;
  try {
    p.header = message::read_header(in);
  } catch (const message::HeaderTooLong&) {
    return std::nullopt;  // no list post of ours: delivered as it is
  }
  const message::Field* f = p.header.find(marker_field);
  if (!f) return std::nullopt;
  auto m = parse_marker(message::unfold(f->value()));
  if (!m) throw TempError(cat("malformed ", marker_field, " field"), "4.3.0");
  p.marker = std::move(*m);
  p.mac.emplace(*from_hex(p.marker.key));  // parse_marker checked the hex
  off_t size = 0;
  for (const auto& field : p.header.fields) size += static_cast<off_t>(field.raw.size());
  // The blank line was consumed; a non-field line that ended the header was
  // not part of it and stays in the body (body_start).
  p.body_offset = start + size + (p.header.ended_by_blank ? 1 : 0);
  return p;
}

CopyMaker::CopyMaker(const Prepared& p) : p_(p), between_(1) {
  for (const message::Field& f : p.header.fields) {
    if (dropped(f)) continue;
    if (address::iequals(f.name, marker_field)) {
      between_.push_back(one_click_post().raw);  // what follows this copy's List-Unsubscribe
      continue;
    }
    between_.back() += f.raw;
  }
  between_.back() += "\n";
}

message::Field CopyMaker::unsubscribe_field(std::string_view address) const {
  return oneclick::unsubscribe_field(p_.marker, address, recipient_mac(*p_.mac, address));
}

std::string CopyMaker::head(const message::Field& unsubscribe) const {
  std::size_t size = unsubscribe.raw.size() * markers();
  for (const auto& text : between_) size += text.size();
  std::string out;
  out.reserve(size);
  out += between_.front();
  for (std::size_t i = 1; i < between_.size(); ++i) out.append(unsubscribe.raw).append(between_[i]);
  return out;
}

std::string verp_recipient(std::string_view sender, std::string_view list, std::string_view fallback) {
  auto l = address::split_at_last(list);
  auto s = address::split_at_last(sender);
  std::string prefix = cat(l.local, "-return-");
  if (!s.has_at || !address::iequals(s.domain, l.domain) || s.local.size() <= prefix.size() ||
      !address::iequals(s.local.substr(0, prefix.size()), prefix))
    return std::string(fallback);
  std::string_view rest = s.local.substr(prefix.size());
  std::size_t i = 0;
  while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
  if (i == 0 || i >= rest.size() || rest[i] != '-') return std::string(fallback);
  rest.remove_prefix(i + 1);
  std::size_t eq = rest.rfind('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == rest.size()) return std::string(fallback);
  return cat(rest.substr(0, eq), "@", rest.substr(eq + 1));
}

namespace {

// write_copy - the copy for `address` of the prepared message on `fd`, to
// `out`: the rendered header, then the body as it is.
void write_copy(const Prepared& p, int fd, std::string_view address, int out) {
  CopyMaker maker(p);
  io::write_all(out, maker.head(maker.unsubscribe_field(address)));
  if (::lseek(fd, p.body_offset, SEEK_SET) < 0) throw TempError("unable to seek in the message", "4.3.0");
  constexpr std::size_t chunk = 65536;
  std::unique_ptr<char[]> buf(new char[chunk]);  // not zero-filled: only what read() fills is touched
  for (;;) {
    ssize_t n = ::read(fd, buf.get(), chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw TempError("unable to read the message", "4.3.0");
    if (n == 0) break;
    io::write_all(out, std::string_view(buf.get(), static_cast<std::size_t>(n)));
  }
}

}  // namespace

io::Fd copy_file() {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string dir = tmpdir && *tmpdir ? tmpdir : "/tmp";
  io::Fd out(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  if (!out) {
    std::string name = dir + "/oneclickXXXXXX";
    out.reset(::mkostemp(name.data(), O_CLOEXEC));
    if (!out) throw TempError(cat("unable to create a temporary file in ", dir), "4.3.0");
    ::unlink(name.c_str());
  }
  return out;
}

namespace {

// render_marked - when the message on `fd` carries the marker, its copy for
// the recipient goes to the descriptor `out()` gives (called only then);
// fd is rewound to 0 either way. False when there is no marker.
bool render_marked(int fd, std::string_view sender, std::string_view fallback_address,
                   const std::function<int()>& out) {
  auto p = prepare(fd, 0);
  if (p) write_copy(*p, fd, verp_recipient(sender, p->marker.list, fallback_address), out());
  if (::lseek(fd, 0, SEEK_SET) < 0) throw TempError("unable to rewind the message", "4.3.0");
  return p.has_value();
}

}  // namespace

bool render_local_to(int fd, std::string_view sender, std::string_view fallback_address, int out) {
  return render_marked(fd, sender, fallback_address, [out] { return out; });
}

io::Fd render_local(int fd, std::string_view sender, std::string_view fallback_address) {
  io::Fd copy;
  if (!render_marked(fd, sender, fallback_address, [&copy] { return (copy = copy_file()).get(); })) return {};
  if (::lseek(copy.get(), 0, SEEK_SET) < 0) throw TempError("unable to rewind the message", "4.3.0");
  return copy;
}

std::string render_failure(std::string_view what) { return cat("Unable to render message: ", what, "."); }

bool may_carry_marker(int fd) {
  constexpr std::size_t window = 65536;
  std::unique_ptr<char[]> buf(new char[window]);
  std::size_t have = 0;
  while (have < window) {
    ssize_t n = ::pread(fd, buf.get() + have, window - have, static_cast<off_t>(have));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return true;  // cannot tell: let the renderer find out
    if (n == 0) break;
    have += static_cast<std::size_t>(n);
  }
  std::string_view text(buf.get(), have);
  std::size_t end = text.find("\n\n");  // the header ends at its first empty line (or earlier)
  if (end == std::string_view::npos && have == window) return true;  // a header longer than the window
  if (end != std::string_view::npos) text = text.substr(0, end + 1);
  auto starts_with_name = [](std::string_view line) {
    return line.size() >= marker_field.size() && address::iequals(line.substr(0, marker_field.size()), marker_field);
  };
  if (starts_with_name(text)) return true;
  for (std::size_t nl = text.find('\n'); nl != std::string_view::npos; nl = text.find('\n', nl + 1))
    if (starts_with_name(text.substr(nl + 1))) return true;
  return false;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  auto decode = [](std::string_view s) -> std::optional<std::string> {
    std::string d;
    for (std::size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      if (c == '+') {
        d.push_back(' ');
      } else if (c == '%') {
        if (i + 2 >= s.size()) return std::nullopt;
        int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        d.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
      } else {
        d.push_back(c);
      }
    }
    return d;
  };
  if (text.empty()) return out;
  std::size_t at = 0;
  for (;;) {
    std::size_t amp = text.find('&', at);
    std::string_view pair = text.substr(at, amp == std::string_view::npos ? std::string_view::npos : amp - at);
    std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) return std::nullopt;
    auto name = decode(pair.substr(0, eq));
    auto value = decode(pair.substr(eq + 1));
    if (!name || !value || name->empty()) return std::nullopt;
    if (out.size() == max_form_pairs) return std::nullopt;
    out.emplace_back(std::move(*name), std::move(*value));
    if (amp == std::string_view::npos) break;
    at = amp + 1;
  }
  return out;
}

}  // namespace mta::oneclick
