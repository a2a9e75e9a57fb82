// mta/smtp/tcprules.h — tcpserver's per-client rules (tcprules(1) cdb files).
//
// qmail-smtpd in server mode (smtpd_server.h) reads the same rules database
// an administrator built for tcpserver -x, so /etc/tcp.smtp.cdb keeps
// working unchanged. tcprules stores one record per rule: the key is an
// address or an address prefix ending in '.' or ':' ("127.", "2001:db8::"),
// or "" for the default; the data is "D\0" for deny, else zero or more
// "+NAME=VALUE\0" settings for the client's environment (RELAYCLIENT,
// DATABYTES, ...). Like tcpserver run with -H -R (no DNS or ident look-up),
// "=host" and "info@ip" rules are never consulted.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mta::tcprules {

struct Verdict {
  bool deny = false;
  std::vector<std::pair<std::string, std::string>> env;  // in the rule's order
};

// The data of one rule. A "+" item without '=' and any item of another
// kind are skipped, as tcpserver skips them.
Verdict parse(std::string_view data);

// The keys tried for a client, in tcpserver's order: the address itself,
// then each shorter prefix that ends in '.' or ':', then "".
std::vector<std::string> keys_for(std::string_view ip);

// The first rule that matches `ip` in the database: find(key) returns the
// data stored under key. No matching rule at all allows the client with
// nothing set, as in tcpserver.
template <typename Find>
Verdict lookup(Find&& find, std::string_view ip) {
  for (const std::string& key : keys_for(ip))
    if (std::optional<std::string> data = find(key)) return parse(*data);
  return {};
}

}  // namespace mta::tcprules
