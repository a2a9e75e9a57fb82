// mta/smtp/qmtp.h — the QMTP server of qmail-qmtpd (reference mta.md 11.1).
//
// A client sends, per message, three netstrings: the message (its first
// byte says "\n": LF line ends, "\r": CRLF line ends, converted to LF), the
// sender, and a netstring of recipient netstrings. The answer is one
// netstring per recipient, in order: "K..." delivered to the queue, "Z..."
// try later, "D..." rejected. Many messages per connection; EOF between
// messages ends the session (exit 0), a protocol violation exit 100, a
// timeout or a connection lost in mid-message exit 111. The message is
// streamed into qmail-queue as it arrives; nothing is queued unless the
// whole message, sender and recipient list arrived well-formed.
//
// The same rules as qmail-smtpd apply: rcpthosts (an absent file allows
// nothing without RELAYCLIENT), RELAYCLIENT appended to every recipient,
// databytes/DATABYTES.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mta/core/netio.h"
#include "mta/core/queue_client.h"
#include "mta/smtp/smtpd_session.h"

namespace mta::qmtp {

inline constexpr std::uint64_t max_netstring = 200000000;  // qmail: longer is exit 111
inline constexpr std::size_t max_address = 1000;

// The bytes of a netstring for s: "5:hello,".
std::string netstring(std::string_view s);

// Parses a whole sequence of netstrings (a recipient list, for tests and the
// fuzz target); nullopt if malformed.
std::optional<std::vector<std::string>> parse_netstrings(std::string_view data);

// Converts a QMTP message body of CRLF type: CR LF -> LF, other CRs kept,
// across chunk boundaries (pending_cr carries a CR at the end of a chunk).
void crlf_to_lf(std::string_view in, bool& pending_cr, std::string& out);

class Session {
 public:
  // With a queue server, the messages of the connection (QMTP clients send
  // many) share one persistent qmail-queue (QueueServer, queue_client.h).
  Session(const smtpd::Config& cfg, net::Stream& io, QueueServer* queue = nullptr)
      : cfg_(cfg), io_(io), queue_(queue) {}
  int run();

 private:
  bool one_message();  // false at a clean EOF
  const smtpd::Config& cfg_;
  net::Stream& io_;
  QueueServer* queue_;
};

}  // namespace mta::qmtp
