#include "mta/core/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "mta/core/exitcodes.h"

namespace mta::tls {

void Context::Free::operator()(ssl_ctx_st* ctx) const { SSL_CTX_free(ctx); }

Context::Context(ssl_ctx_st* ctx, bool client, bool verify)
    : ctx_(ctx), client_(client), verify_(verify) {}

Context::~Context() = default;

std::string last_error() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];  // OpenSSL's documented maximum for one error string
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? std::string("unknown TLS error") : out;
}

namespace {

// new_context - an SSL_CTX with the settings both sides share.
ssl_ctx_st* new_context(const SSL_METHOD* method) {
  SSL_CTX* ctx = SSL_CTX_new(method);
  if (!ctx) throw TempError(cat("unable to create TLS context: ", last_error()));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  // Writes may be retried with a moved buffer (Stream keeps a std::string).
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
  return ctx;
}

}  // namespace

Context server_context(const std::filesystem::path& pem) {
  ERR_clear_error();
  Context c(new_context(TLS_server_method()), false, false);
  SSL_CTX_set_options(c.get(), SSL_OP_CIPHER_SERVER_PREFERENCE);
  // One process per connection: a session cache would never be hit.
  SSL_CTX_set_session_cache_mode(c.get(), SSL_SESS_CACHE_OFF);
  if (SSL_CTX_use_certificate_chain_file(c.get(), pem.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(c.get(), pem.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(c.get()) != 1)
    throw TempError(cat("unable to load TLS certificate ", pem.string(), ": ", last_error()));
  return c;
}

Context client_context(bool verify_peer, const std::filesystem::path& ca_file) {
  ERR_clear_error();
  Context c(new_context(TLS_client_method()), true, verify_peer);
  int ok = ca_file.empty() ? SSL_CTX_set_default_verify_paths(c.get())
                           : SSL_CTX_load_verify_locations(c.get(), ca_file.c_str(), nullptr);
  if (ok != 1)
    throw TempError(cat("unable to load TLS trust anchors ",
                        ca_file.empty() ? std::string("(system)") : ca_file.string(), ": ",
                        last_error()));
  SSL_CTX_set_verify(c.get(), verify_peer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  return c;
}

}  // namespace mta::tls
