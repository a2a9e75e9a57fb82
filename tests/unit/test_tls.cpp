// Unit tests for mta/core/netio and mta/core/tls: the buffered, timed stream
// over a socketpair, and a real TLS handshake between two Streams with a
// self-signed certificate made here.
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <thread>

#include "mta/core/io.h"
#include "mta/core/netio.h"
#include "mta/core/tls.h"
#include "socketpair.h"
#include "tmpdir.h"

using namespace std::chrono_literals;
using mta::net::Stream;

namespace {

using Pair = lettershop_test::SocketPair;

void send_all(int fd, std::string_view s) { mta::io::write_all(fd, s); }

// write_self_signed - an EC key and a self-signed certificate for CN=name in one PEM file.
void write_self_signed(const std::filesystem::path& pem, const char* name) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  REQUIRE(key);
  X509* x = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -60);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key);
  X509_NAME* n = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(name), -1, -1, 0);
  X509_set_issuer_name(x, n);
  REQUIRE(X509_sign(x, key, EVP_sha256()) > 0);
  FILE* f = std::fopen(pem.c_str(), "w");
  REQUIRE(f);
  PEM_write_X509(f, x);
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(x);
  EVP_PKEY_free(key);
}

}  // namespace

TEST_CASE("netio: getline returns whole lines, the unterminated rest, then nullopt", "[netio]") {
  Pair p;
  Stream s(p.a.get(), p.a.get(), 2000ms);
  send_all(p.b.get(), "HELO x\r\nNOOP\nrest");
  p.b.reset();
  CHECK(s.getline(100) == std::optional<std::string>("HELO x\r\n"));
  CHECK(s.getline(100) == std::optional<std::string>("NOOP\n"));
  CHECK(s.getline(100) == std::optional<std::string>("rest"));
  CHECK(s.getline(100) == std::nullopt);
}

TEST_CASE("netio: an over-long line throws LineTooLong and skip_line drops the rest", "[netio]") {
  Pair p;
  Stream s(p.a.get(), p.a.get(), 2000ms);
  std::string big(100000, 'x');
  std::thread t([&] { send_all(p.b.get(), big + "\nNOOP\r\n"); });
  CHECK_THROWS_AS(s.getline(1000), mta::net::LineTooLong);
  s.skip_line();
  CHECK(s.getline(1000) == std::optional<std::string>("NOOP\r\n"));
  t.join();
  // A line of exactly limit bytes including "\n" is fine; one more is not.
  send_all(p.b.get(), std::string(9, 'a') + "\n" + std::string(10, 'b') + "\n");
  CHECK(s.getline(10)->size() == 10);
  CHECK_THROWS_AS(s.getline(10), mta::net::LineTooLong);
}

TEST_CASE("netio: a silent peer times out", "[netio]") {
  Pair p;
  Stream s(p.a.get(), p.a.get(), 100ms);
  send_all(p.b.get(), "partial");
  CHECK_THROWS_AS(s.getline(100), mta::net::Timeout);
}

TEST_CASE("netio: pending_input sees pipelined commands; output waits for flush", "[netio]") {
  Pair p;
  Stream s(p.a.get(), p.a.get(), 2000ms);
  send_all(p.b.get(), "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n");
  CHECK(s.getline(100) == std::optional<std::string>("MAIL FROM:<a@b>\r\n"));
  CHECK(s.pending_input() == 15);
  s.write("250 ok\r\n");
  char buf[64];
  CHECK(::recv(p.b.get(), buf, sizeof buf, MSG_DONTWAIT) == -1);  // nothing sent yet
  s.getline(100);
  CHECK(s.pending_input() == 0);
  s.write("250 ok\r\n");
  s.flush();
  ssize_t n = ::recv(p.b.get(), buf, sizeof buf, 0);
  CHECK(std::string(buf, static_cast<std::size_t>(n)) == "250 ok\r\n250 ok\r\n");
}

TEST_CASE("netio: read_some serves the buffer first, then the descriptor", "[netio]") {
  Pair p;
  Stream s(p.a.get(), p.a.get(), 2000ms);
  send_all(p.b.get(), "line\nbody bytes");
  s.getline(100);
  char buf[4];
  CHECK(s.read_some(buf, 4) == 4);
  CHECK(std::string(buf, 4) == "body");
  std::string rest;
  p.b.reset();
  for (std::size_t n; (n = s.read_some(buf, sizeof buf)) > 0;) rest.append(buf, n);
  CHECK(rest == " bytes");
}

TEST_CASE("tls: a missing or broken certificate file is a TempError", "[tls]") {
  lettershop_test::TempDir dir("tls");
  CHECK_THROWS_AS(mta::tls::server_context(dir.path / "nope.pem"), mta::TempError);
  mta::io::replace_file(dir.path / "bad.pem", "-----BEGIN CERTIFICATE-----\nxx\n");
  CHECK_THROWS_AS(mta::tls::server_context(dir.path / "bad.pem"), mta::TempError);
}

TEST_CASE("tls: client and server Streams handshake and exchange lines", "[tls]") {
  lettershop_test::TempDir dir("tls");
  write_self_signed(dir.path / "servercert.pem", "mx.example.test");
  auto server_ctx = mta::tls::server_context(dir.path / "servercert.pem");
  auto client_ctx = mta::tls::client_context(false, dir.path / "servercert.pem");
  Pair p;
  Stream server(p.a.get(), p.a.get(), 5000ms);
  std::thread t([&] {
    server.start_tls_server(server_ctx);
    auto line = server.getline(1000);
    server.write("echo " + line.value_or("none"));
    server.flush();
    server.shutdown_tls();
  });
  Stream client(p.b.get(), p.b.get(), 5000ms);
  client.start_tls_client(client_ctx, "mx.example.test");
  client.write("EHLO x\r\n");
  client.flush();
  auto reply = client.getline(1000);
  t.join();
  CHECK(reply == std::optional<std::string>("echo EHLO x\r\n"));
  CHECK(client.tls());
  CHECK(server.tls());
  CHECK(client.tls_summary().rfind("TLSv1.", 0) == 0);
  CHECK(client.peer_verified());  // trusted through ca_file, name matches
  CHECK(client.getline(1000) == std::nullopt);  // close_notify
}

TEST_CASE("tls: a verifying client refuses a wrong host name", "[tls]") {
  lettershop_test::TempDir dir("tls");
  write_self_signed(dir.path / "servercert.pem", "mx.example.test");
  auto server_ctx = mta::tls::server_context(dir.path / "servercert.pem");
  auto client_ctx = mta::tls::client_context(true, dir.path / "servercert.pem");
  Pair p;
  Stream server(p.a.get(), p.a.get(), 5000ms);
  std::thread t([&] {
    try {
      server.start_tls_server(server_ctx);
    } catch (const mta::net::Error&) {
    }
  });
  Stream client(p.b.get(), p.b.get(), 5000ms);
  CHECK_THROWS_AS(client.start_tls_client(client_ctx, "other.example.test"), mta::net::Error);
  p.b.reset();
  t.join();
  CHECK_FALSE(client.tls());
}
