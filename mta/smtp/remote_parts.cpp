// mta/smtp/remote_parts.cpp — see remote_parts.h.
#include "mta/smtp/remote_parts.h"

#include <sys/socket.h>

#include <algorithm>
#include <charconv>

#include "mta/core/address.h"
#include "mta/core/exitcodes.h"

namespace mta::remote {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "a.b.c" -> "a.b.c", ".b.c", ".c" (qmail's order for smtproutes keys).
std::vector<std::string_view> suffix_keys(std::string_view host) {
  std::vector<std::string_view> keys{host};
  for (std::size_t i = 0; i < host.size(); ++i)
    if (host[i] == '.') keys.push_back(host.substr(i));
  return keys;
}

// The value of the last line whose key (before the first ':') is `key`.
std::optional<std::string_view> last_value(const std::vector<std::string>& lines, std::string_view key) {
  std::optional<std::string_view> found;
  for (const auto& line : lines) {
    auto colon = line.find(':');
    if (colon == std::string::npos) throw std::invalid_argument(cat("line without ':': ", line));
    if (address::iequals(std::string_view(line).substr(0, colon), key))
      found = std::string_view(line).substr(colon + 1);
  }
  return found;
}

}  // namespace

// ---- replies ----

std::optional<Reply> ReplyParser::line(std::string_view raw) {
  if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
  if (raw.size() < 3 || !is_digit(raw[0]) || !is_digit(raw[1]) || !is_digit(raw[2]) ||
      (raw.size() > 3 && raw[3] != ' ' && raw[3] != '-'))
    throw ReplyError("malformed reply line");
  if (reply_.lines.size() >= max_reply_lines) throw ReplyError("reply has too many lines");
  if (reply_.lines.empty()) reply_.code = (raw[0] - '0') * 100 + (raw[1] - '0') * 10 + (raw[2] - '0');
  reply_.lines.emplace_back(raw.size() > 4 ? raw.substr(4) : std::string_view());
  // The text for reports: qmail's form (CR gone, NUL shown as '?'), capped.
  for (char c : raw) {
    if (reply_.text.size() >= max_reply_text) break;
    if (c != '\r') reply_.text.push_back(c == '\0' ? '?' : c);
  }
  if (reply_.text.size() < max_reply_text) reply_.text.push_back('\n');
  if (raw.size() > 3 && raw[3] == '-') return std::nullopt;
  Reply done = std::move(reply_);
  reply_ = Reply{};
  if (done.text.empty() || done.text.back() != '\n') done.text.push_back('\n');
  return done;
}

Extensions parse_ehlo(const Reply& reply) {
  Extensions ext;
  for (std::size_t i = 1; i < reply.lines.size(); ++i) {  // line 0 is the greeting name
    std::string_view line = reply.lines[i];
    auto space = line.find(' ');
    std::string keyword = address::ascii_lower(line.substr(0, space));
    std::string_view param = space == std::string_view::npos ? "" : line.substr(space + 1);
    if (keyword == "pipelining") ext.pipelining = true;
    else if (keyword == "starttls") ext.starttls = true;
    else if (keyword == "smtputf8") ext.smtputf8 = true;
    else if (keyword == "8bitmime") ext.eightbitmime = true;
    else if (keyword == "size") {
      ext.size = true;
      unsigned long limit = 0;
      std::from_chars(param.data(), param.data() + param.size(), limit);
      ext.size_limit = limit;
    }
  }
  return ext;
}

// ---- blast ----

void Blaster::feed(std::string_view in, std::string& out) {
  out.reserve(out.size() + in.size() + in.size() / 32 + 8);
  for (char c : in) {
    if (state_ == State::after_cr) {
      out += "\r\n";  // CRLF, or a bare CR made into a line end
      state_ = State::line_start;
      if (c == '\n') continue;
    }
    if (state_ == State::line_start && c == '.') out.push_back('.');
    if (c == '\n') {
      out += "\r\n";
      state_ = State::line_start;
    } else if (c == '\r') {
      state_ = State::after_cr;
    } else {
      out.push_back(c);
      state_ = State::in_line;
    }
  }
}

bool Blaster::finish(std::string& out) {
  if (state_ == State::in_line) return false;
  if (state_ == State::after_cr) out += "\r\n";
  out += ".\r\n";
  state_ = State::line_start;
  return true;
}

std::optional<std::string> blast(std::string_view message) {
  Blaster b;
  std::string out;
  b.feed(message, out);
  if (!b.finish(out)) return std::nullopt;
  return out;
}

// ---- routes ----

std::optional<Route> find_route(const std::vector<std::string>& lines, std::string_view host) {
  auto keys = suffix_keys(host);
  keys.push_back("");
  for (auto key : keys) {
    auto value = last_value(lines, key);
    if (!value) continue;
    Route route;
    auto colon = value->find(':');
    route.relay = std::string(value->substr(0, colon));
    if (colon != std::string_view::npos) {
      auto port = value->substr(colon + 1);
      auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), route.port);
      if (port.empty() || ec != std::errc() || end != port.data() + port.size() || route.port == 0 ||
          route.port > 65535)
        throw std::invalid_argument(cat("bad port in smtproutes: ", *value));
    }
    return route;
  }
  return std::nullopt;
}

TlsRule find_tls_rule(const std::vector<std::string>& lines, std::string_view host) {
  std::vector<std::string_view> keys;
  if (!host.empty() && host.front() == '[') keys.push_back(host);  // a literal matches itself only
  else keys = suffix_keys(host);
  keys.push_back("*");
  for (auto key : keys) {
    auto value = last_value(lines, key);
    if (!value) continue;
    TlsRule rule;
    auto colon = value->find(':');
    std::string_view policy = value->substr(0, colon);
    if (policy == "none") rule.policy = TlsPolicy::none;
    else if (policy == "opportunistic" || policy.empty()) rule.policy = TlsPolicy::opportunistic;
    else if (policy == "verify") rule.policy = TlsPolicy::verify;
    else throw std::invalid_argument(cat("unknown policy in tlsdestinations: ", policy));
    if (colon != std::string_view::npos) rule.ca_file = std::string(value->substr(colon + 1));
    return rule;
  }
  return TlsRule{};
}

// ---- destinations ----

std::optional<dns::IpAddress> parse_literal(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    if (host.back() != ']') return std::nullopt;
    host = host.substr(1, host.size() - 2);
    if (host.size() > 5 && address::iequals(host.substr(0, 5), "ipv6:")) host.remove_prefix(5);
    return dns::IpAddress::parse(host);
  }
  // qmail also takes a bare dotted quad; a bare IPv6 literal is not a domain either.
  auto ip = dns::IpAddress::parse(host);
  if (ip && ip->family == AF_INET) return ip;
  return std::nullopt;
}

void order_mx(std::vector<dns::Mx>& mx, std::mt19937& random) {
  std::shuffle(mx.begin(), mx.end(), random);
  std::stable_sort(mx.begin(), mx.end(),
                   [](const dns::Mx& a, const dns::Mx& b) { return a.preference < b.preference; });
}

bool drop_self(std::vector<Destination>& dests, const std::vector<dns::IpAddress>& local_ips,
               const std::vector<std::string>& local_names) {
  if (dests.empty()) return true;
  auto is_self = [&](const Destination& d) {
    if (std::find(local_ips.begin(), local_ips.end(), d.address) != local_ips.end()) return true;
    for (const auto& name : local_names)
      if (!d.name.empty() && address::iequals(d.name, name)) return true;
    return false;
  };
  unsigned long limit = ~0UL;  // the lowest preference at which we find ourselves
  for (const auto& d : dests)
    if (is_self(d)) limit = std::min<unsigned long>(limit, d.preference);
  std::erase_if(dests, [&](const Destination& d) { return d.preference >= limit; });
  return !dests.empty();
}

bool needs_utf8(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

std::string smtp_path(std::string_view address) {
  // RFC 6531 3.3: UTF-8 characters are atext, so "jörg" needs no quotes;
  // quote() would quote every 8-bit byte.
  auto split = address::split_at_last(address);
  if (split.has_at && needs_utf8(split.local)) {
    std::string probe(split.local);
    for (auto& c : probe)
      if (static_cast<unsigned char>(c) >= 0x80) c = 'a';
    if (address::local_is_atom(probe)) return cat("<", address, ">");
  }
  return cat("<", address::quote(address), ">");
}

}  // namespace mta::remote
