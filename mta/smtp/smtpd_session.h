// mta/smtp/smtpd_session.h — one SMTP session of qmail-smtpd.
//
// Config is everything read once from control/ and the environment
// (load_config); Session runs the command loop of reference mta.md 10.2 over
// a net::Stream and hands each message to qmail-queue through QueueClient,
// replying 250 only after qmail-queue said the message is safe on disk.
//
// Replies follow qmail's texts byte for byte for a HELO client. After EHLO
// we advertise ENHANCEDSTATUSCODES, and then every reply but the greeting
// and the EHLO/HELO answer carries its RFC 3463 code after the number
// ("553 5.7.1 sorry, ..."); qmail's "(#5.7.1)" suffixes stay.
//
// Replies are buffered and flushed only when the client has nothing more
// in our input buffer (PIPELINING), and before any wait for the client.
#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mta/core/netio.h"
#include "mta/core/paths.h"
#include "mta/core/queue_client.h"
#include "mta/smtp/smtpd_parse.h"

namespace mta::smtpd {

inline constexpr std::size_t command_line_limit = 4096;  // bytes incl. CRLF -> 500 5.5.2
inline constexpr std::size_t max_recipients = 10000;     // per message -> 452 4.5.3

struct Config {
  Home home;
  std::string greeting;                  // smtpgreeting, else me
  std::string localiphost;               // "" = [ip] literals are not rewritten
  std::chrono::seconds timeout{1200};    // timeoutsmtpd
  std::uint64_t databytes = 0;           // 0 = no limit
  std::optional<std::string> relayclient;
  std::vector<std::string> badmailfrom;
  std::optional<RcptHosts> rcpthosts;    // built by load_config
  std::filesystem::path servercert;      // "" = no STARTTLS
  bool rcptcheck = false;
  ReceivedInfo peer;                     // who is talking, for the Received line
  // This host's addresses, for [ip] literal replacement. nullopt: read from
  // the interfaces at the first RCPT with a literal (as qmail's ipme_init),
  // so a session without one never pays for the netlink dump.
  std::optional<std::vector<std::string>> local_ips;
};

// Where a session's variables come from (TCPREMOTEIP, RELAYCLIENT, ...):
// the process environment under tcpserver; in server mode a per-connection
// view (smtpd_server.cpp).
using Environment = std::function<std::optional<std::string>(const char* name)>;
std::optional<std::string> process_environment(const char* name);

// Reads control/ and the environment (TCP*, RELAYCLIENT, DATABYTES). Where
// TCPREMOTEIP/TCPLOCALIP are unset (systemd Accept=yes, inetd), asks
// getpeername/getsockname of fd. Throws TempError if a control file cannot
// be read (the caller answers 421).
Config load_config(const Home& home, int fd, const Environment& env = process_environment);

// The numeric address of a socket's peer (peer) or own end; "" when it is
// not an IP socket.
std::string socket_ip(int fd, bool peer);

// "::ffff:1.2.3.4" -> "1.2.3.4"; any other text unchanged.
std::string unmap_ipv4(std::string ip);

// Answers whether a recipient can be delivered here (rcptcheck). true for
// every address that is not local. Throws TempError when it cannot tell.
using RecipientCheck = std::function<bool(const std::string& address)>;

class Session {
 public:
  // With a queue server, messages go to its persistent qmail-queue instead
  // of a queue program started per message (QueueServer, queue_client.h).
  Session(const Config& cfg, net::Stream& io, RecipientCheck check = {},
          QueueServer* queue = nullptr);
  // Runs to QUIT, EOF or a fatal condition; returns the exit code.
  int run();

 private:
  void reply(int code, std::string_view dsn, std::string_view text);
  void reset();
  void ehlo(std::string_view arg, bool extended);
  void mail(std::string_view arg);
  void rcpt(std::string_view arg);
  bool data();   // false: the connection must be dropped
  bool starttls(std::string_view arg);
  bool is_local_ip(std::string_view ip);  // throws TempError

  const Config& cfg_;
  net::Stream& io_;
  RecipientCheck check_;
  QueueServer* queue_;
  bool esmtp_ = false;
  std::string helo_;
  bool have_mail_ = false;
  bool barf_ = false;  // sender in badmailfrom, reported at RCPT
  bool smtputf8_ = false;
  std::string sender_;
  std::vector<std::string> recipients_;
  std::optional<std::vector<std::string>> local_ips_;  // cfg_.local_ips, else read once
};

}  // namespace mta::smtpd
