// mta/core/tls.h — OpenSSL contexts for STARTTLS, both sides.
//
// A Context is the RAII owner of one SSL_CTX. It is built once per process
// (qmail-smtpd per connection, qmail-remote per delivery) and handed to
// net::Stream::start_tls_server/start_tls_client, which upgrade a connection
// in place. Both sides refuse anything older than TLS 1.2 (RFC 8996 retired
// 1.0 and 1.1) and renegotiation.
//
// The server's certificate and key live in one PEM file, as with qmail's TLS
// patch: control/servercert.pem holds the certificate (and any chain) and the
// private key. The client loads the system CA store (or ca_file) always, so
// that Stream::peer_verified() can report an authenticated peer even when
// verification is not required; verify_peer makes a failed verification
// abort the handshake instead.
//
// OpenSSL's error queue is read into the TempError texts, so a log says why
// a certificate was refused ("...: key values mismatch").
#pragma once
#include <filesystem>
#include <memory>
#include <string>

struct ssl_ctx_st;  // OpenSSL's SSL_CTX, kept out of this header

namespace mta::tls {

class Context {
 public:
  Context(Context&&) noexcept = default;
  Context& operator=(Context&&) noexcept = default;
  ~Context();
  ssl_ctx_st* get() const { return ctx_.get(); }
  bool client() const { return client_; }
  bool verify_peer() const { return verify_; }

 private:
  struct Free { void operator()(ssl_ctx_st*) const; };
  Context(ssl_ctx_st* ctx, bool client, bool verify);
  std::unique_ptr<ssl_ctx_st, Free> ctx_;
  bool client_ = false;
  bool verify_ = false;
  friend Context server_context(const std::filesystem::path&);
  friend Context client_context(bool, const std::filesystem::path&);
};

// A server context from one PEM file holding the certificate chain and the
// private key. Throws TempError if it is missing, unreadable or inconsistent.
Context server_context(const std::filesystem::path& cert_and_key_pem);

// A client context. Trusts the system CA store, or only ca_file if given.
// With verify_peer the handshake fails unless the chain and the host name
// (set per connection by start_tls_client) verify.
Context client_context(bool verify_peer, const std::filesystem::path& ca_file = {});

// The oldest entries of OpenSSL's error queue as one line, and clears it.
std::string last_error();

}  // namespace mta::tls
