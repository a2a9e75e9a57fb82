#include "mta/core/control.h"

#include <array>
#include <charconv>

#include "mta/core/io.h"

namespace mta::control {

namespace {
std::string_view strip_trailing(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}
}  // namespace

std::string first_line(std::string_view contents) {
  return std::string(strip_trailing(contents.substr(0, contents.find('\n'))));
}

std::optional<unsigned long> parse_number(std::string_view contents) {
  std::string_view line = contents.substr(0, contents.find('\n'));
  if (line.empty() || line[0] < '0' || line[0] > '9') return std::nullopt;
  unsigned long value = 0;
  auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), value);
  if (ec != std::errc()) return std::nullopt;  // overflow: keep the default
  (void)end;
  return value;
}

std::vector<std::string> parse_list(std::string_view contents) {
  std::vector<std::string> out;
  while (!contents.empty()) {
    std::size_t nl = contents.find('\n');
    std::string_view line = contents.substr(0, nl);
    contents.remove_prefix(nl == std::string_view::npos ? contents.size() : nl + 1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    out.emplace_back(line);
  }
  return out;
}

namespace {
constexpr std::array known_table{
    Known{"me", Kind::line, "", "My name is"},
    Known{"badmailfrom", Kind::list, "", "SMTP MAIL FROM: addresses (or @domains) to reject"},
    Known{"bouncefrom", Kind::line, "MAILER-DAEMON", "Bounce user name is"},
    Known{"bouncehost", Kind::line_me, "bouncehost", "Bounce host name is"},
    Known{"concurrencylocal", Kind::number, "10", "Local concurrency is"},
    Known{"concurrencyremote", Kind::number, "20", "Remote concurrency is"},
    Known{"databytes", Kind::number, "0", "SMTP DATA limit is"},
    Known{"defaultdomain", Kind::line_me, "defaultdomain", "Default domain name is"},
    Known{"defaulthost", Kind::line_me, "defaulthost", "Default host name is"},
    Known{"doublebouncehost", Kind::line_me, "doublebouncehost", "2B recipient host"},
    Known{"doublebounceto", Kind::line, "postmaster", "2B recipient user"},
    Known{"envnoathost", Kind::line_me, "envnoathost", "Presumed domain name is"},
    Known{"helohost", Kind::line_me, "", "SMTP client HELO host name is"},
    Known{"idhost", Kind::line_me, "idhost", "Message-ID host name is"},
    Known{"localiphost", Kind::line_me, "", "Local IP address becomes"},
    Known{"locals", Kind::list_me, "", "Messages for these domains are delivered locally"},
    Known{"morercpthosts", Kind::source, "", "SMTP clients may send messages to these recipient domains"},
    Known{"morercpthosts.cdb", Kind::cdb, "", "Compiled form of morercpthosts"},
    Known{"percenthack", Kind::list, "", "The percent hack is allowed for these domains"},
    Known{"plusdomain", Kind::line_me, "plusdomain", "Plus domain name is"},
    Known{"qmqpservers", Kind::list, "", "QMQP servers"},
    Known{"queuelifetime", Kind::number, "604800", "Message lifetime in the queue is"},
    Known{"rcptcheck", Kind::line, "off", "SMTP recipient check at RCPT time is"},
    Known{"rcpthosts", Kind::list, "", "SMTP clients may send messages to these recipient domains"},
    Known{"remoteport", Kind::number, "25", "SMTP client port is"},
    Known{"smtpgreeting", Kind::line_me, "", "SMTP greeting"},
    Known{"smtproutes", Kind::list, "", "SMTP routes"},
    Known{"timeoutconnect", Kind::number, "60", "SMTP client connection timeout is"},
    Known{"timeoutremote", Kind::number, "1200", "SMTP client data timeout is"},
    Known{"timeoutsmtpd", Kind::number, "1200", "SMTP server data timeout is"},
    Known{"tlsdestinations", Kind::list, "", "SMTP client STARTTLS policy per destination"},
    Known{"virtualdomains", Kind::list, "", "Virtual domains"},
};
}  // namespace

std::span<const Known> known_controls() { return known_table; }

const Known* find_known(std::string_view name) {
  for (const auto& k : known_table)
    if (k.name == name) return &k;
  return nullptr;
}

std::optional<std::string> Control::raw(std::string_view name) const {
  return io::read_file(dir_ / name);
}

std::optional<std::string> Control::line(std::string_view name) const {
  auto contents = raw(name);
  if (!contents) return std::nullopt;
  return first_line(*contents);
}

std::string Control::line_or_me(std::string_view name, std::string_view fallback) const {
  if (auto v = line(name)) return *v;
  if (auto m = me()) return *m;
  return std::string(fallback);
}

unsigned long Control::number(std::string_view name, unsigned long dflt) const {
  auto contents = raw(name);
  if (!contents) return dflt;
  return parse_number(*contents).value_or(dflt);
}

std::optional<std::vector<std::string>> Control::list(std::string_view name) const {
  auto contents = raw(name);
  if (!contents) return std::nullopt;
  return parse_list(*contents);
}

}  // namespace mta::control
