// mta/core/netio.h — a network connection: buffered, timed, upgradable to TLS.
//
// Stream is what qmail-smtpd, qmail-qmtpd and qmail-remote talk through. It
// reads from in_fd and writes to out_fd (the same socket, or tcpserver's fd 0
// and fd 1), buffering both ways so that neither side goes a byte at a time:
// input is read in chunks of up to 16 KB, output collects until flush().
//
// Timeouts: every wait for the peer (a read, a write, a handshake step) lasts
// at most `timeout` (poll(2)); then net::Timeout is thrown. This is qmail's
// per-read timeout (timeoutsmtpd, timeoutremote), not a session deadline. The
// descriptors are switched to non-blocking mode so that a TLS record that
// arrives in pieces cannot stall a read past the timeout.
//
// End of input is reported, not thrown: getline() returns nullopt and
// read_some() returns 0. Other I/O failures (ECONNRESET, a broken TLS
// record) throw net::Error, a TempError.
//
// Pipelining (RFC 2920): a server buffers its replies and flushes them when
// pending_input() is 0, i.e. when it is about to wait for the client, as
// Postfix does; qmail's substdio does the same.
//
// STARTTLS: start_tls_server/start_tls_client first flush the output and then
// DISCARD any input already buffered. Bytes that arrived before the handshake
// were sent in plaintext and must never be read as if they came through TLS
// (CVE-2011-0411, the command injection attack). A server that wants to
// refuse such a client checks pending_input() before replying 220.
//
// SIGPIPE: a write to a connection the peer closed raises SIGPIPE for pipes
// and for OpenSSL's writes; programs using Stream ignore SIGPIPE and get
// net::Error instead.
#pragma once
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/tls.h"

struct ssl_st;  // OpenSSL's SSL

namespace mta::net {

// The peer did not send (or accept) anything for the whole timeout.
class Timeout : public TempError {
 public:
  Timeout() : TempError("timeout", "4.4.2") {}
};

// A read, write or handshake failed (connection reset, TLS alert, ...).
class Error : public TempError {
 public:
  explicit Error(std::string what) : TempError(std::move(what), "4.4.2") {}
};

using io::LineTooLong;

class Stream {
 public:
  // Borrows the descriptors (the caller closes them); they may be equal.
  Stream(int in_fd, int out_fd, std::chrono::milliseconds timeout);
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  void set_timeout(std::chrono::milliseconds t) { timeout_ = t; }

  // One line including its "\n". At end of input: nullopt if nothing was
  // read, else the unterminated rest (no "\n"). A line longer than `limit`
  // bytes (counting the "\n") throws LineTooLong after consuming `limit`
  // bytes of it; skip_line() then drops the rest.
  std::optional<std::string> getline(std::size_t limit);
  // Drops input up to and including the next "\n" (or to end of input).
  // Memory stays bounded however long the line is.
  void skip_line();
  // Up to n bytes, from the buffer first; blocks only if the buffer is
  // empty. 0 at end of input.
  std::size_t read_some(char* buf, std::size_t n);
  // The buffered input, without reading (for parsers that scan in place);
  // consume(n) drops the first n bytes of it. fill() reads once more and
  // returns false at end of input.
  std::string_view buffered() const { return std::string_view(in_).substr(in_pos_); }
  void consume(std::size_t n);
  bool fill();

  // Queues output; flushes by itself only when more than 64 KB wait.
  void write(std::string_view data);
  void flush();

  // Bytes received but not yet consumed (ours plus OpenSSL's record buffer).
  std::size_t pending_input() const;

  // Upgrades the connection in place (see the header comment about
  // buffered plaintext). Throws net::Error or Timeout if the handshake fails.
  void start_tls_server(const tls::Context& ctx);
  // sni_host is sent as SNI (unless it is an IP literal) and checked against
  // the certificate; a failed check aborts only if ctx verifies peers.
  void start_tls_client(const tls::Context& ctx, const std::string& sni_host);

  bool tls() const { return ssl_ != nullptr; }
  // "TLSv1.3 TLS_AES_256_GCM_SHA384", or "" before TLS.
  std::string tls_summary() const;
  // True if the peer presented a certificate that verified (chain and, on
  // the client side, host name).
  bool peer_verified() const;

  // Sends a TLS close_notify, best effort (does not wait for the answer).
  void shutdown_tls();

 private:
  enum class Want { read, write };
  struct FreeSsl { void operator()(ssl_st*) const; };
  void wait(Want w);
  std::size_t raw_read(char* buf, std::size_t n);
  std::size_t raw_write(std::string_view data);
  void handshake(bool server);
  int in_fd_, out_fd_;
  std::chrono::milliseconds timeout_;
  std::string in_;
  std::size_t in_pos_ = 0;
  std::string out_;
  std::unique_ptr<ssl_st, FreeSsl> ssl_;
  bool eof_ = false;
};

}  // namespace mta::net
