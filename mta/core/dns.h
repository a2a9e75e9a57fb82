// mta/core/dns.h — MX, A, AAAA and TXT lookups, synchronously, over c-ares.
//
// A Resolver owns one c-ares channel. It talks to the servers named in
// $DNSCACHEIP when that is set (space-separated; each an IPv4 address, an
// IPv6 address, "ip:port" or "[ipv6]:port"), else to those of
// /etc/resolv.conf. Queries are plain res_query-style look-ups of the name
// as given (no search list); c-ares retries over TCP when an answer is
// truncated.
//
// Every look-up returns the records in answer order, an empty vector when
// the name exists but has no records of that type, and throws dns::Error
// otherwise: kind nxdomain (the name does not exist: permanent) or temporary
// (timeout, SERVFAIL, refused, a malformed answer: try again later).
//
// Callers: qmail-remote (MX/A/AAAA, reference mta.md 9.4); the DKIM and
// DMARC code (TXT; ezmlm-send starts its DMARC queries early with
// start_txt and a short Timing). Standards: RFC 1035, 3596 (AAAA), 5321 5.1 (MX).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mta::dns {

class Error : public std::runtime_error {
 public:
  enum class Kind { nxdomain, temporary };
  Error(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const { return kind_; }
  bool permanent() const { return kind_ == Kind::nxdomain; }

 private:
  Kind kind_;
};

// An IPv4 or IPv6 address as raw network-order bytes.
struct IpAddress {
  int family = 0;                     // AF_INET or AF_INET6
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4
  bool operator==(const IpAddress&) const = default;

  bool v6() const;
  // "1.2.3.4" or "2001:db8::1" (inet_ntop).
  std::string to_string() const;
  // A literal IPv4 or IPv6 address (no brackets), or nullopt.
  static std::optional<IpAddress> parse(std::string_view text);
};

// Every address of this host's network interfaces (getifaddrs), for the
// "is that me?" checks of qmail-smtpd ([ip] literals) and qmail-remote (an
// MX pointing at us). Throws mta::TempError when they cannot be read.
std::vector<IpAddress> interface_addresses();

struct Mx {
  unsigned preference = 0;
  std::string host;
  bool operator==(const Mx&) const = default;
};

struct Server {
  IpAddress address;
  unsigned port = 53;
  bool operator==(const Server&) const = default;
};

// Parses a $DNSCACHEIP value. Throws std::invalid_argument for an entry that
// is not an address, a bad port or an unclosed bracket; "" gives no servers.
std::vector<Server> parse_dnscacheip(std::string_view value);

class Resolver {
 public:
  // How long to wait: c-ares sends a query up to `tries` times per server,
  // the first after timeout_ms and each later round twice as long (with one
  // server 2000/3: 2 + 4 + 8 s before giving up).
  struct Timing {
    int timeout_ms = 2000;
    int tries = 3;
  };

  // Servers from $DNSCACHEIP if set and not empty, else /etc/resolv.conf.
  // Throws dns::Error (temporary) when c-ares cannot be set up.
  Resolver();
  explicit Resolver(const Timing& timing);
  // Exactly these servers (tests); empty means /etc/resolv.conf.
  explicit Resolver(const std::vector<Server>& servers);
  Resolver(const std::vector<Server>& servers, const Timing& timing);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  std::vector<Mx> mx(std::string_view name);
  std::vector<IpAddress> a(std::string_view name);
  std::vector<IpAddress> aaaa(std::string_view name);
  // AAAA records first, then A (RFC 6724's preference for IPv6). Throws
  // only when both look-ups fail; nxdomain only when both say so.
  std::vector<IpAddress> addresses(std::string_view name);
  // Each TXT record with its character-strings concatenated.
  std::vector<std::string> txt(std::string_view name);
  // Sends a TXT query and returns at once; a later txt() of the same name
  // collects its answer instead of asking again, so the round trip overlaps
  // whatever the caller does meanwhile (ezmlm-send's DMARC look-up). Any
  // number may be in flight; the answers of queries nobody collects are
  // dropped with the Resolver.
  void start_txt(std::string_view name);

  struct Channel;

 private:
  std::unique_ptr<Channel> channel_;
};

}  // namespace mta::dns
