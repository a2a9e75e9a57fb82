#include "mta/smtp/smtpd_parse.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "mta/core/address.h"

namespace mta::smtpd {

namespace {

std::string_view strip_eol(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::string lower(std::string_view s) { return address::ascii_lower(s); }

struct VerbName {
  std::string_view name;
  Verb verb;
};
constexpr VerbName verbs[] = {
    {"helo", Verb::helo}, {"ehlo", Verb::ehlo}, {"mail", Verb::mail}, {"rcpt", Verb::rcpt},
    {"data", Verb::data}, {"rset", Verb::rset}, {"noop", Verb::noop}, {"vrfy", Verb::vrfy},
    {"help", Verb::help}, {"quit", Verb::quit}, {"starttls", Verb::starttls},
};

}  // namespace

Command parse_command(std::string_view line) {
  line = strip_eol(line);
  Command c;
  std::size_t sp = line.find(' ');
  c.word = line.substr(0, sp);
  if (sp != std::string_view::npos) {
    std::string_view rest = line.substr(sp);
    std::size_t start = rest.find_first_not_of(' ');
    c.arg = start == std::string_view::npos ? std::string_view() : rest.substr(start);
  }
  for (const auto& v : verbs)
    if (address::iequals(c.word, v.name)) c.verb = v.verb;
  return c;
}

// parse_params - the ESMTP parameters after the path; false for a bad SIZE=.
static bool parse_params(std::string_view rest, Path& p) {
  while (!rest.empty()) {
    std::size_t start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    std::size_t end = rest.find(' ');
    std::string_view param = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
    std::size_t eq = param.find('=');
    std::string_view key = param.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view() : param.substr(eq + 1);
    if (address::iequals(key, "SIZE")) {
      std::uint64_t n = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc() || ptr != value.data() + value.size()) return false;
      p.size = n;
    } else if (address::iequals(key, "BODY")) {
      p.body_8bit = address::iequals(value, "8BITMIME");
    } else if (address::iequals(key, "SMTPUTF8") && eq == std::string_view::npos) {
      p.smtputf8 = true;
    }
    // Other parameters are ignored, as qmail ignores all of them.
  }
  return true;
}

std::optional<Path> parse_path(std::string_view arg) {
  arg = strip_eol(arg);
  if (arg.find('\0') != std::string_view::npos) return std::nullopt;
  char terminator = '>';
  if (std::size_t lt = arg.find('<'); lt != std::string_view::npos) {
    arg.remove_prefix(lt + 1);
  } else {
    // A sloppy client ("mail from: a@b", "rcpt a@b"): after the colon, to a space.
    terminator = ' ';
    if (std::size_t colon = arg.find(':'); colon != std::string_view::npos) arg.remove_prefix(colon + 1);
    while (!arg.empty() && arg.front() == ' ') arg.remove_prefix(1);
  }
  // A source route "@a,@b:" is dropped, up to and including the first colon.
  if (!arg.empty() && arg.front() == '@') {
    std::size_t colon = arg.find(':');
    arg.remove_prefix(colon == std::string_view::npos ? arg.size() : colon + 1);
  }
  Path p;
  bool quoted = false, escaped = false, terminated = false;
  std::size_t i = 0;
  for (; i < arg.size(); ++i) {
    char c = arg[i];
    if (escaped) {
      escaped = false;
      p.address.push_back(c);
    } else if (c == '\\') {
      escaped = true;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == terminator) {
      terminated = true;
      break;
    } else {
      p.address.push_back(c);
    }
    if (p.address.size() >= max_path) return std::nullopt;
  }
  // Only a properly closed <path> carries ESMTP parameters.
  if (terminated && terminator == '>' && !parse_params(arg.substr(i + 1), p)) return std::nullopt;
  return p;
}

std::string replace_ip_literal(const std::string& address, const std::string& localiphost,
                               const std::function<bool(std::string_view)>& is_local_ip) {
  std::size_t at = address.rfind('@');
  if (at == std::string::npos || localiphost.empty()) return address;
  std::string_view domain = std::string_view(address).substr(at + 1);
  if (domain.size() < 3 || domain.front() != '[' || domain.back() != ']') return address;
  std::string_view ip = domain.substr(1, domain.size() - 2);
  if (address::iequals(ip.substr(0, 5), "IPv6:")) ip.remove_prefix(5);
  if (!is_local_ip(ip)) return address;
  return address.substr(0, at + 1) + localiphost;
}

RcptHosts::RcptHosts(std::optional<std::vector<std::string>> lines,
                     std::function<bool(std::string_view)> more)
    : exists_(lines.has_value()), more_(std::move(more)) {
  if (lines)
    for (const auto& l : *lines) keys_.insert(lower(l));
}

bool RcptHosts::lookup(std::string_view key) const {
  if (keys_.count(std::string(key))) return true;
  return more_ && more_(key);
}

bool RcptHosts::allows(std::string_view address) const {
  std::size_t at = address.rfind('@');
  if (at == std::string_view::npos) return true;  // qmail-send adds envnoathost: ours
  if (!exists_) return false;
  std::string domain = lower(address.substr(at + 1));
  for (std::size_t i = 0; i < domain.size(); ++i)
    if ((i == 0 || domain[i] == '.') && lookup(std::string_view(domain).substr(i))) return true;
  return false;
}

bool badmailfrom(const std::vector<std::string>& list, std::string_view sender) {
  if (sender.empty()) return false;
  std::size_t at = sender.rfind('@');
  std::string_view domain = at == std::string_view::npos ? std::string_view() : sender.substr(at);
  return std::any_of(list.begin(), list.end(), [&](const std::string& l) {
    return address::iequals(l, sender) || (!domain.empty() && address::iequals(l, domain));
  });
}

// --- DATA -----------------------------------------------------------------

void DataReader::put(char c, std::string& out) {
  ++bytes_;
  if (limit_ && bytes_ > limit_) too_big_ = true;
  if (!too_big_) out.push_back(c);
  if (!in_header_) return;
  if (c != '\n') {
    if (col_ < sizeof head_) head_[col_] = c;
    ++col_;
    return;
  }
  // End of a header line: an empty one ends the header.
  if (col_ == 0) {
    in_header_ = false;
    return;
  }
  std::string_view head(head_, std::min(col_, sizeof head_));
  if (address::iequals(head.substr(0, 8), "received") || address::iequals(head, "delivered")) ++hops_;
  col_ = 0;
}

// put_body_run - the body text from `from` up to the next CR or LF, in one
// append: past the header nothing but the line ends matters, and a byte at a
// time through put() cost ~60 instructions per byte of every message.
// Returns where the run ends.
std::size_t DataReader::put_body_run(std::string_view in, std::size_t from, std::string& out) {
  std::string_view rest = in.substr(from);
  std::size_t end = rest.size();
  if (const void* cr = std::memchr(rest.data(), '\r', end)) end = static_cast<const char*>(cr) - rest.data();
  if (const void* lf = std::memchr(rest.data(), '\n', end)) end = static_cast<const char*>(lf) - rest.data();
  if (!too_big_) {
    std::uint64_t room = limit_ ? limit_ - bytes_ : end;  // bytes_ <= limit_ while !too_big_
    out.append(rest.data(), static_cast<std::size_t>(std::min<std::uint64_t>(end, room)));
  }
  bytes_ += end;
  if (limit_ && bytes_ > limit_) too_big_ = true;
  return from + end;
}

std::size_t DataReader::feed(std::string_view in, std::string& out) {
  std::size_t i = 0;
  while (i < in.size() && status_ == Status::more) {
    char c = in[i++];
    switch (state_) {
      case State::line_start:
        if (c == '\n') status_ = Status::bare_lf;
        else if (c == '\r') state_ = State::start_cr;
        else if (c == '.') state_ = State::dot;
        else { put(c, out); state_ = State::middle; }
        break;
      case State::middle:
        if (c == '\r') state_ = State::cr;
        else if (c == '\n') status_ = Status::bare_lf;
        else if (in_header_) put(c, out);
        else i = put_body_run(in, i - 1, out);
        break;
      case State::dot:
        if (c == '\r') state_ = State::dot_cr;
        else if (c == '\n') status_ = Status::bare_lf;
        else { put(c, out); state_ = State::middle; }  // the stuffed dot is dropped
        break;
      case State::dot_cr:
        if (c == '\n') { status_ = Status::done; break; }
        [[fallthrough]];
      case State::cr:
      case State::start_cr:
        // A pending CR: with LF it ends the line, else it is kept as data
        // (in a run of CRs before LF all but the last are kept).
        if (c == '\n') { put('\n', out); state_ = State::line_start; }
        else if (c == '\r') { put('\r', out); state_ = State::cr; }
        else { put('\r', out); put(c, out); state_ = State::middle; }
        break;
    }
  }
  return i;
}

// --- Received ---------------------------------------------------------------

std::string safe_received(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view(".@%+/=:-[]").find(c) != std::string_view::npos;
    if (!ok) c = '?';
  }
  return out;
}

std::string received_line(const ReceivedInfo& r, std::string_view date) {
  std::string out = "Received: from ";
  out += safe_received(r.remote_host);
  if (!r.helo.empty() && !address::iequals(r.helo, r.remote_host)) {
    out += " (HELO ";
    out += safe_received(r.helo);
    out += ')';
  }
  out += " (";
  if (!r.remote_info.empty()) {
    out += safe_received(r.remote_info);
    out += '@';
  }
  out += safe_received(r.remote_ip);
  out += ")\n  by ";
  out += safe_received(r.local_host);
  out += " with ";
  out += r.protocol;
  // Our own text, not the client's: the protocol and cipher names of OpenSSL.
  if (!r.tls.empty()) {
    out += " (";
    out += r.tls;
    out += ')';
  }
  out += "; ";
  out += date;
  out += '\n';
  return out;
}

}  // namespace mta::smtpd
