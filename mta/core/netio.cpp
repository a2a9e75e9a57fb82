#include "mta/core/netio.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mta::net {

namespace {

constexpr std::size_t read_chunk = 16384;       // one TLS record's worth
constexpr std::size_t write_high_water = 65536;  // flush by ourselves above this

void set_nonblocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags == -1 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
    throw Error(cat("unable to set non-blocking mode: ", std::strerror(errno)));
}

bool is_ip_literal(const std::string& host) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

void Stream::FreeSsl::operator()(ssl_st* ssl) const { SSL_free(ssl); }

Stream::Stream(int in_fd, int out_fd, std::chrono::milliseconds timeout)
    : in_fd_(in_fd), out_fd_(out_fd), timeout_(timeout) {
  set_nonblocking(in_fd_);
  if (out_fd_ != in_fd_) set_nonblocking(out_fd_);
}

Stream::~Stream() = default;

// wait - poll one descriptor for the direction OpenSSL or the kernel wants.
void Stream::wait(Want w) {
  pollfd p{};
  p.fd = w == Want::read ? in_fd_ : out_fd_;
  p.events = w == Want::read ? POLLIN : POLLOUT;
  for (;;) {
    int ms = static_cast<int>(std::min<long long>(timeout_.count(), 0x7fffffff));
    int n = ::poll(&p, 1, ms);
    if (n > 0) return;  // readable, writable, or an error the next call reports
    if (n == 0) throw Timeout();
    if (errno != EINTR) throw Error(cat("poll failed: ", std::strerror(errno)));
  }
}

// raw_read - one read from the connection, waiting at most the timeout.
std::size_t Stream::raw_read(char* buf, std::size_t n) {
  for (;;) {
    if (ssl_) {
      ERR_clear_error();
      int r = SSL_read(ssl_.get(), buf, static_cast<int>(std::min<std::size_t>(n, 0x7fffffff)));
      if (r > 0) return static_cast<std::size_t>(r);
      int e = SSL_get_error(ssl_.get(), r);
      if (e == SSL_ERROR_WANT_READ) { wait(Want::read); continue; }
      if (e == SSL_ERROR_WANT_WRITE) { wait(Want::write); continue; }
      if (e == SSL_ERROR_ZERO_RETURN) return 0;  // close_notify
      // A peer that just closes the socket without close_notify: EOF too.
      if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && (r == 0 || errno == ECONNRESET)) return 0;
      if (e == SSL_ERROR_SSL && ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
        return 0;
      throw Error(cat("TLS read failed: ", tls::last_error()));
    }
    ssize_t r = ::read(in_fd_, buf, n);
    if (r >= 0) return static_cast<std::size_t>(r);
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) { wait(Want::read); continue; }
    if (errno == ECONNRESET) return 0;
    throw Error(cat("read failed: ", std::strerror(errno)));
  }
}

// raw_write - writes some of data, waiting at most the timeout; never 0.
std::size_t Stream::raw_write(std::string_view data) {
  for (;;) {
    if (ssl_) {
      ERR_clear_error();
      int r = SSL_write(ssl_.get(), data.data(), static_cast<int>(std::min<std::size_t>(data.size(), 0x7fffffff)));
      if (r > 0) return static_cast<std::size_t>(r);
      int e = SSL_get_error(ssl_.get(), r);
      if (e == SSL_ERROR_WANT_READ) { wait(Want::read); continue; }
      if (e == SSL_ERROR_WANT_WRITE) { wait(Want::write); continue; }
      throw Error(cat("TLS write failed: ", tls::last_error()));
    }
    ssize_t r = ::write(out_fd_, data.data(), data.size());
    if (r > 0) return static_cast<std::size_t>(r);
    if (r == -1 && errno == EINTR) continue;
    if (r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) { wait(Want::write); continue; }
    throw Error(cat("write failed: ", r == 0 ? "no progress" : std::strerror(errno)));
  }
}

bool Stream::fill() {
  if (eof_) return false;
  if (in_pos_ == in_.size()) {
    in_.clear();
    in_pos_ = 0;
  } else if (in_pos_ > read_chunk) {
    in_.erase(0, in_pos_);
    in_pos_ = 0;
  }
  std::size_t old = in_.size();
  in_.resize(old + read_chunk);
  std::size_t n = 0;
  try {
    n = raw_read(in_.data() + old, read_chunk);
  } catch (...) {
    in_.resize(old);
    throw;
  }
  in_.resize(old + n);
  if (n == 0) eof_ = true;
  return n > 0;
}

void Stream::consume(std::size_t n) {
  in_pos_ += std::min(n, in_.size() - in_pos_);
}

std::optional<std::string> Stream::getline(std::size_t limit) {
  std::size_t scanned = 0;  // bytes of buffered() already known to hold no "\n"
  for (;;) {
    std::string_view have = buffered();
    std::size_t nl = have.find('\n', scanned);
    if (nl != std::string_view::npos && nl < limit) {
      std::string line(have.substr(0, nl + 1));
      consume(nl + 1);
      return line;
    }
    if (have.size() >= limit) {
      consume(limit);
      throw LineTooLong();
    }
    scanned = have.size();
    if (!fill()) {
      if (buffered().empty()) return std::nullopt;
      std::string rest(buffered());
      consume(rest.size());
      return rest;
    }
  }
}

void Stream::skip_line() {
  for (;;) {
    std::string_view have = buffered();
    std::size_t nl = have.find('\n');
    if (nl != std::string_view::npos) {
      consume(nl + 1);
      return;
    }
    consume(have.size());
    if (!fill()) return;
  }
}

std::size_t Stream::read_some(char* buf, std::size_t n) {
  if (n == 0) return 0;
  if (buffered().empty() && !fill()) return 0;
  std::string_view have = buffered();
  std::size_t k = std::min(n, have.size());
  std::memcpy(buf, have.data(), k);
  consume(k);
  return k;
}

void Stream::write(std::string_view data) {
  out_.append(data);
  if (out_.size() > write_high_water) flush();
}

void Stream::flush() {
  std::string_view rest(out_);
  try {
    while (!rest.empty()) rest.remove_prefix(raw_write(rest));
  } catch (...) {
    out_.erase(0, out_.size() - rest.size());
    throw;
  }
  out_.clear();
}

std::size_t Stream::pending_input() const {
  std::size_t n = in_.size() - in_pos_;
  if (ssl_) n += static_cast<std::size_t>(SSL_pending(ssl_.get()));
  return n;
}

// handshake - SSL_accept/SSL_connect, waiting at most the timeout per step.
void Stream::handshake(bool server) {
  for (;;) {
    ERR_clear_error();
    int r = server ? SSL_accept(ssl_.get()) : SSL_connect(ssl_.get());
    if (r == 1) return;
    int e = SSL_get_error(ssl_.get(), r);
    if (e == SSL_ERROR_WANT_READ) { wait(Want::read); continue; }
    if (e == SSL_ERROR_WANT_WRITE) { wait(Want::write); continue; }
    std::string why = ERR_peek_error() ? tls::last_error()
                      : e == SSL_ERROR_SYSCALL ? std::string("connection closed")
                                               : std::string("protocol error");
    if (!server) {
      long v = SSL_get_verify_result(ssl_.get());
      if (v != X509_V_OK) why = cat(why, " (", X509_verify_cert_error_string(v), ")");
    }
    ssl_.reset();
    throw Error(cat("TLS handshake failed: ", why));
  }
}

void Stream::start_tls_server(const tls::Context& ctx) {
  flush();
  in_.clear();  // plaintext sent before the handshake is never read as secure
  in_pos_ = 0;
  ssl_.reset(SSL_new(ctx.get()));
  if (!ssl_) throw Error(cat("unable to start TLS: ", tls::last_error()));
  BIO* rbio = BIO_new_fd(in_fd_, BIO_NOCLOSE);
  BIO* wbio = in_fd_ == out_fd_ ? rbio : BIO_new_fd(out_fd_, BIO_NOCLOSE);
  if (!rbio || !wbio) throw Error(cat("unable to start TLS: ", tls::last_error()));
  // One BIO for both directions: SSL_set_bio consumes a single reference
  // then (SSL_set_bio(3)), so no BIO_up_ref, or the BIO leaks.
  SSL_set_bio(ssl_.get(), rbio, wbio);
  handshake(true);
}

void Stream::start_tls_client(const tls::Context& ctx, const std::string& sni_host) {
  flush();
  in_.clear();
  in_pos_ = 0;
  ssl_.reset(SSL_new(ctx.get()));
  if (!ssl_) throw Error(cat("unable to start TLS: ", tls::last_error()));
  if (!sni_host.empty()) {
    if (!is_ip_literal(sni_host)) SSL_set_tlsext_host_name(ssl_.get(), sni_host.c_str());
    // The verify result then also covers the name (peer_verified()).
    if (is_ip_literal(sni_host)) X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_.get()), sni_host.c_str());
    else SSL_set1_host(ssl_.get(), sni_host.c_str());
  }
  BIO* rbio = BIO_new_fd(in_fd_, BIO_NOCLOSE);
  BIO* wbio = in_fd_ == out_fd_ ? rbio : BIO_new_fd(out_fd_, BIO_NOCLOSE);
  if (!rbio || !wbio) throw Error(cat("unable to start TLS: ", tls::last_error()));
  // One BIO for both directions: SSL_set_bio consumes a single reference
  // then (SSL_set_bio(3)), so no BIO_up_ref, or the BIO leaks.
  SSL_set_bio(ssl_.get(), rbio, wbio);
  handshake(false);
}

std::string Stream::tls_summary() const {
  if (!ssl_) return {};
  return cat(SSL_get_version(ssl_.get()), " ", SSL_get_cipher_name(ssl_.get()));
}

bool Stream::peer_verified() const {
  if (!ssl_) return false;
  X509* cert = SSL_get0_peer_certificate(ssl_.get());
  return cert != nullptr && SSL_get_verify_result(ssl_.get()) == X509_V_OK;
}

void Stream::shutdown_tls() {
  if (!ssl_) return;
  try {
    flush();
  } catch (const MailError&) {
    return;
  }
  ERR_clear_error();
  SSL_shutdown(ssl_.get());  // non-blocking: sends close_notify if it can
}

}  // namespace mta::net
