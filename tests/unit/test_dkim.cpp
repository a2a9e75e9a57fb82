// Unit tests for mta/dkim: tag lists, key records, canonicalization, the
// RFC 8463 test vector, signing and verifying round trips, the key store
// and qmail-remote's sign_outbound hook. Malformed input first.
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <span>

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/message.h"
#include "mta/core/transfer_encoding.h"
#include "mta/dkim/canon.h"
#include "mta/dkim/crypto.h"
#include "mta/dkim/sign.h"
#include "mta/dkim/tags.h"
#include "mta/dkim/verify.h"
#include "tmpdir.h"

using namespace mta::dkim;

namespace {

std::string hex(std::string_view bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string body_hash_of(Canon c, std::string_view body, bool trickle = false,
                         std::optional<std::uint64_t> limit = std::nullopt) {
  BodyHasher h(c, limit);
  if (trickle) {
    for (char ch : body) h.feed(std::string_view(&ch, 1));
  } else {
    h.feed(body);
  }
  return h.finish();
}

// The message of RFC 6376 / RFC 8463 Appendix A, LF line ends as in a queue.
const std::string rfc_message =
    "From: Joe SixPack <joe@football.example.com>\n"
    "To: Suzie Q <suzie@shopping.example.net>\n"
    "Subject: Is dinner ready?\n"
    "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\n"
    "Message-ID: <20030712040037.46341.5F8J@football.example.com>\n"
    "\n"
    "Hi.\n"
    "\n"
    "We lost the game.  Are you hungry yet?\n"
    "\n"
    "Joe.\n";

// RFC 8463 A.3: the ed25519-sha256 signature of that message.
const std::string rfc8463_ed25519_signature =
    "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\n"
    " d=football.example.com; i=@football.example.com;\n"
    " q=dns/txt; s=brisbane; t=1528637909; h=from : to :\n"
    " subject : date : message-id : from : subject : date;\n"
    " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\n"
    " b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\n"
    " Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\n";

// RFC 8032 7.1 test 1 / RFC 8463 A.2: the brisbane key.
const std::string rfc8463_seed_b64 = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
const std::string rfc8463_record = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

// A simple/simple ed25519 signature of the same message under the same key
// (dkimpy's test data; Ed25519 is deterministic, so it is a second vector).
const std::string simple_ed25519_signature =
    "DKIM-Signature: v=1; a=ed25519-sha256; c=simple/simple; \n"
    " d=football.example.com; i=@football.example.com; \n"
    " q=dns/txt; s=brisbane; t=1518460054; h=from : to : \n"
    " subject : date : message-id : from : subject : date; \n"
    " bh=4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=; \n"
    " b=9/dsDChY0YMTtD5Eyw3wx7x22BlSJP7M5ECbJ7GWrR45nXlTCGb8l0YB\n"
    " o0wBLR++X5LqmsxXaOYLLJe46l10AQ==\n";

// An rsa-sha256 simple/simple signature of the same message with the
// 1024-bit "test" key of dkimpy's test data (RSA PKCS#1 v1.5 is
// deterministic too), and that key's record.
const std::string simple_rsa_signature =
    "DKIM-Signature: v=1; a=rsa-sha256; c=simple/simple; \n"
    " d=football.example.com; i=@football.example.com; \n"
    " q=dns/txt; s=test; t=1527915362; h=from : to : subject : \n"
    " date : message-id : from : subject : date; \n"
    " bh=4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=; \n"
    " b=icKcLSEZYXJ95flvWE8FT6hl5iqd8MC/LEKYH0QjsqYy6MO/4pgVNCZH\n"
    " l/RAXAuADxE/40Fg7uTlxwwD1hjN2Ple6J//cJfslBdDOq6zTVbne1dqtl\n"
    " NOat7iamJ1AfRqyG+ja7a2AZsrpUuJ7VA6O+0zRYPqpwMEkEFIzI9i/Xk=\n";
const std::string test_rsa_record =
    "v=DKIM1; g=*; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/"
    "J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+"
    "2kryOTIKT+l/K4w3QIDAQAB";

KeyLookup map_lookup(std::map<std::string, std::string> records) {
  return [records](const std::string& name) -> std::vector<std::string> {
    auto it = records.find(name);
    if (it == records.end()) throw LookupError("NXDOMAIN", false);
    return {it->second};
  };
}

std::vector<Result> verify_text(const std::string& text, const KeyLookup& lookup, std::time_t now = 1528637909,
                                bool trickle = false) {
  auto in = mta::io::Reader::from_string(text, trickle);
  return verify(in, lookup, now);
}

mta::message::Header header_of(const std::string& text) {
  auto in = mta::io::Reader::from_string(text);
  return mta::message::read_header(in);
}

}  // namespace

TEST_CASE("dkim: tag lists", "[dkim]") {
  struct Bad {
    const char* text;
    const char* why;
  };
  const Bad bad[] = {
      {"=x", "bad tag name"},
      {"a", "missing '='"},
      {"a=1;;b=2", "empty tag list entry"},
      {";", "empty tag list entry"},
      {"1a=2", "bad tag name"},
      {"a=1; a=2", "given twice"},
      {"a=\x80", "bad character"},
      {"a=b;c", "missing '='"},
      {"a-b=1", "missing '='"},
      {"a=1; ; b=2", "empty tag list entry"},
  };
  for (const auto& row : bad) {
    INFO(row.text);
    REQUIRE_THROWS_WITH(parse_tags(row.text), Catch::Contains(row.why));
  }
  CHECK(parse_tags("").empty());
  CHECK(parse_tags("  \r\n ").empty());
  auto t = parse_tags(" a = x  y ;\r\n\tb_2=;c=3;");
  REQUIRE(t.size() == 3);
  CHECK(t[0].name == "a");
  CHECK(t[0].value == "x  y");
  CHECK(t[0].value_offset == 5);
  CHECK(t[1].name == "b_2");
  CHECK(t[1].value.empty());
  CHECK(t[2].value == "3");
}

TEST_CASE("dkim: signature fields", "[dkim]") {
  const std::string good_bh = "bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=";
  auto with = [&](std::string tags) { return tags; };
  struct Bad {
    std::string text;
    const char* why;
  };
  const Bad bad[] = {
      {with("a=rsa-sha256; d=x.test; s=s; h=from; " + good_bh + "; b=AAAA"), "missing v="},
      {with("v=2; a=rsa-sha256; d=x.test; s=s; h=from; " + good_bh + "; b=AAAA"), "version"},
      {with("v=1; a=rsa-sha1; d=x.test; s=s; h=from; " + good_bh + "; b=AAAA"), "RFC 8301"},
      {with("v=1; a=dsa-sha256; d=x.test; s=s; h=from; " + good_bh + "; b=AAAA"), "unknown algorithm"},
      {with("v=1; a=rsa-sha256; d=x.test; s=s; h=to:subject; " + good_bh + "; b=AAAA"), "From"},
      {with("v=1; a=rsa-sha256; d=x.test; s=s; h=from::to; " + good_bh + "; b=AAAA"), "empty header name"},
      {with("v=1; a=rsa-sha256; d=x.test; s=s; h=from; bh=AAAA; b=AAAA"), "SHA-256"},
      {with("v=1; a=rsa-sha256; d=x.test; s=s; h=from; " + good_bh + "; b=A!AA"), "base64"},
      {with("v=1; a=rsa-sha256; d=x.test; s=s; h=from; " + good_bh + "; b="), "empty b="},
      {with("v=1; a=rsa-sha256; d=x.test; s=s; h=from; " + good_bh + "; b=AAAA; i=joe@evil.test"), "i= is not within"},
      {with("v=1; a=rsa-sha256; d=x.test; s=s; h=from; " + good_bh + "; b=AAAA; i=joe@notx.test"), "i= is not within"},
      {with("v=1; a=rsa-sha256; d=x.test; s=s; h=from; " + good_bh + "; b=AAAA; t=10; x=10"), "x= is not after"},
      {with("v=1; a=rsa-sha256; d=x.test; s=s; h=from; " + good_bh + "; b=AAAA; l=-1"), "bad l="},
      {with("v=1; a=rsa-sha256; d=x.test; s=s; h=from; " + good_bh + "; b=AAAA; c=fancy"), "canonicalization"},
      {with("v=1; a=rsa-sha256; d=x.test; s=s; h=from; " + good_bh + "; b=AAAA; q=http"), "dns/txt"},
  };
  for (const auto& row : bad) {
    INFO(row.text);
    REQUIRE_THROWS_WITH(parse_signature(row.text), Catch::Contains(row.why));
  }
  Signature s = parse_signature(" v=1; a=ed25519-sha256; c=relaxed; d=X.Test; s=sel;\n\th=From : To; " + good_bh +
                                ";\n\tb=AA\n\t AA; i=joe@sub.x.test; l=5; t=1; x=2");
  CHECK(s.algorithm == Algorithm::ed25519_sha256);
  CHECK(s.header_canon == Canon::relaxed);
  CHECK(s.body_canon == Canon::simple);  // "c=relaxed" alone means relaxed/simple
  CHECK(s.domain == "x.test");
  CHECK(s.headers == std::vector<std::string>{"From", "To"});
  CHECK(s.identity == "joe@sub.x.test");
  CHECK(s.length == std::optional<std::uint64_t>(5));
  CHECK(s.b.size() == 3);
  CHECK(s.value_without_b.find("b=;") != std::string::npos);
  CHECK(s.value_without_b.find("AA\n") == std::string::npos);
}

TEST_CASE("dkim: key records", "[dkim]") {
  struct Bad {
    const char* text;
    const char* why;
  };
  const Bad bad[] = {
      {"v=DKIM2; p=AAAA", "DKIM1"},
      {"k=rsa; v=DKIM1; p=AAAA", "first tag"},
      {"k=dsa; p=AAAA", "unknown key type"},
      {"v=DKIM1; k=rsa", "without p="},
      {"h=sha1; p=AAAA", "sha256"},
      {"s=tlsrpt; p=AAAA", "not for email"},
      {"p=AA!A", "base64"},
      {"p=AAAA; p=BBBB", "twice"},
  };
  for (const auto& row : bad) {
    INFO(row.text);
    REQUIRE_THROWS_WITH(parse_key_record(row.text), Catch::Contains(row.why));
  }
  KeyRecord k = parse_key_record(rfc8463_record);
  CHECK(k.key_type == Algorithm::ed25519_sha256);
  CHECK(k.public_key.size() == 32);
  CHECK(parse_key_record("v=DKIM1; p=").public_key.empty());  // revoked
  CHECK(parse_key_record("p=AAAA; t=y:s; h=sha1:sha256; s=email; n=hello").testing);
  CHECK(parse_key_record("p=AAAA; t=y:s").strict_identity);
  CHECK(parse_key_record("k=rsa; p=AAAA; x=unknown").key_type == Algorithm::rsa_sha256);
}

TEST_CASE("dkim: header canonicalization (RFC 6376 3.4.5)", "[dkim]") {
  CHECK(canonical_header(Canon::relaxed, "A: X\r\n") == "a:X\r\n");
  CHECK(canonical_header(Canon::relaxed, "B : Y\t\r\n\tZ  \r\n") == "b:Y Z\r\n");
  CHECK(canonical_header(Canon::relaxed, "B : Y\t\n\tZ  \n") == "b:Y Z\r\n");
  CHECK(canonical_header(Canon::relaxed, "Subject:\n") == "subject:\r\n");
  CHECK(canonical_header(Canon::relaxed, "Subject:a\rb\n") == "subject:a\rb\r\n");
  // a lone CR is data, also next to white space and to a CR LF
  struct Row {
    const char* raw;
    const char* canonical;
  };
  const Row rows[] = {
      {"X:\r\n", "x:\r\n"},
      {"X: \r a\n", "x:\r a\r\n"},
      {"X: a\r\r\n b\n", "x:a\r b\r\n"},
      {"X: a\r \rb\n", "x:a\r \rb\r\n"},
      {"X:a\r", "x:a\r\r\n"},
      {"X:\ta  b\t\r\n\t\r\n c\r\r", "x:a b c\r\r\r\n"},
      {"Long: one two  three\tfour\n five\n", "long:one two three four five\r\n"},
  };
  for (const auto& row : rows) {
    INFO(row.raw);
    CHECK(canonical_header(Canon::relaxed, row.raw) == row.canonical);
  }
  CHECK(canonical_header(Canon::simple, "B : Y\t\n\tZ  \n") == "B : Y\t\r\n\tZ  \r\n");
  CHECK(canonical_header(Canon::simple, "B : Y\t\r\n\tZ  \r\n") == "B : Y\t\r\n\tZ  \r\n");
}

TEST_CASE("dkim: body canonicalization", "[dkim]") {
  struct Row {
    const char* body;
    Canon canon;
    const char* canonical;
  };
  const Row rows[] = {
      // RFC 6376 3.4.5
      {" C \r\nD \t E\r\n\r\n\r\n", Canon::relaxed, " C\r\nD E\r\n"},
      {" C \r\nD \t E\r\n\r\n\r\n", Canon::simple, " C \r\nD \t E\r\n"},
      {" C \nD \t E\n\n\n", Canon::relaxed, " C\r\nD E\r\n"},
      {" C \nD \t E\n\n\n", Canon::simple, " C \r\nD \t E\r\n"},
      // empty bodies: relaxed hashes nothing, simple one CRLF
      {"", Canon::relaxed, ""},
      {"", Canon::simple, "\r\n"},
      {"\n\n", Canon::relaxed, ""},
      {"\r\n\r\n", Canon::simple, "\r\n"},
      {"  \n \t\n", Canon::relaxed, ""},
      {"  \n", Canon::simple, "  \r\n"},
      // inner empty lines stay, a missing last line break is added
      {"a\n\n\nb", Canon::relaxed, "a\r\n\r\n\r\nb\r\n"},
      {"a\n  \nb\n", Canon::relaxed, "a\r\n\r\nb\r\n"},
      {"a\n  \nb\n", Canon::simple, "a\r\n  \r\nb\r\n"},
      // a CR not before LF is data
      {"a\rb\r\n", Canon::relaxed, "a\rb\r\n"},
      {"a\r", Canon::simple, "a\r\r\n"},
  };
  for (const auto& row : rows) {
    INFO(hex(row.body) << " " << canon_name(row.canon));
    CHECK(hex(body_hash_of(row.canon, row.body)) == hex(sha256(row.canonical)));
    CHECK(hex(body_hash_of(row.canon, row.body, true)) == hex(sha256(row.canonical)));
  }
  // l= cuts the hashed canonical bytes, not the input
  CHECK(hex(body_hash_of(Canon::relaxed, "ab  c\nmore\n", false, 5)) == hex(sha256("ab c\r")));
  BodyHasher counted(Canon::relaxed);
  counted.feed("x  \n\n");
  CHECK(counted.canonical_length() == 3);
}

TEST_CASE("dkim: RFC 8463 test vector", "[dkim]") {
  auto seed = mta::cte::base64_decode_strict(rfc8463_seed_b64);
  REQUIRE(seed);
  PrivateKey key = PrivateKey::ed25519_from_seed(*seed);
  CHECK(key.public_record_value() == "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");

  auto header = header_of(rfc_message);
  auto in = mta::io::Reader::from_string(rfc_message);
  auto h = mta::message::read_header(in);
  CHECK(mta::cte::base64_encode(body_hash(h, in, Canon::relaxed)) == "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");

  // Signing the RFC's own field text gives the RFC's b= (Ed25519 is deterministic).
  std::string field = rfc8463_ed25519_signature.substr(0, rfc8463_ed25519_signature.find(" b=") + 3);
  Signature sig = parse_signature(rfc8463_ed25519_signature.substr(rfc8463_ed25519_signature.find(':') + 1));
  std::string data = header_hash_input(header, sig.headers, Canon::relaxed, field);
  CHECK(mta::cte::base64_encode(key.sign(data)) ==
        "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==");

  auto lookup = map_lookup({{"brisbane._domainkey.football.example.com", rfc8463_record},
                            {"test._domainkey.football.example.com", test_rsa_record}});
  for (bool trickle : {false, true}) {
    INFO("trickle " << trickle);
    auto results = verify_text(rfc8463_ed25519_signature + simple_ed25519_signature + simple_rsa_signature +
                                   rfc_message,
                               lookup, 1528637909, trickle);
    REQUIRE(results.size() == 3);
    CHECK(format_result(results[0]) ==
          "dkim=pass header.d=football.example.com header.s=brisbane header.a=ed25519-sha256");
    CHECK(results[1].status == Status::pass);
    CHECK(format_result(results[2]) ==
          "dkim=pass header.d=football.example.com header.s=test header.a=rsa-sha256");
  }
  // One changed byte in the body, or in a signed field, fails.
  std::string altered = rfc_message;
  altered.replace(altered.find("hungry"), 6, "Hungry");
  auto r = verify_text(rfc8463_ed25519_signature + altered, lookup);
  REQUIRE(r.size() == 1);
  CHECK(r[0].status == Status::fail);
  CHECK(r[0].reason == "body hash did not verify");
  altered = rfc_message;
  altered.replace(altered.find("dinner"), 6, "supper");
  r = verify_text(rfc8463_ed25519_signature + altered, lookup);
  CHECK(r[0].reason == "signature did not verify");
  // Relaxed survives re-folding and white space changes.
  altered = rfc_message;
  altered.replace(altered.find("Subject: Is dinner"), 18, "Subject:   Is\n\tdinner");
  CHECK(verify_text(rfc8463_ed25519_signature + altered, lookup)[0].status == Status::pass);
}

TEST_CASE("dkim: verification failures", "[dkim]") {
  const std::string msg = rfc8463_ed25519_signature + rfc_message;
  struct Row {
    std::map<std::string, std::string> records;
    Status status;
    const char* reason;
  };
  const std::string name = "brisbane._domainkey.football.example.com";
  const Row rows[] = {
      {{}, Status::permerror, "no key record"},
      {{{name, "v=DKIM1; k=ed25519; p="}}, Status::permerror, "key revoked"},
      {{{name, "v=DKIM1; k=rsa; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="}}, Status::permerror, "key type"},
      {{{name, "v=DKIM1; k=ed25519; p=AAAA"}}, Status::permerror, "not an Ed25519 public key"},
      {{{name, "garbage"}}, Status::permerror, "bad key record"},
      {{{name, "v=DKIM1; k=ed25519; t=s; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="}}, Status::pass, ""},
  };
  for (const auto& row : rows) {
    INFO(row.reason);
    auto r = verify_text(msg, map_lookup(row.records));
    REQUIRE(r.size() == 1);
    CHECK(r[0].status == row.status);
    CHECK_THAT(r[0].reason, Catch::Contains(row.reason));
  }
  auto temp = [](const std::string&) -> std::vector<std::string> { throw LookupError("timeout", true); };
  CHECK(verify_text(msg, temp)[0].status == Status::temperror);
  // A broken field is a permerror of its own and does not stop the others.
  auto r = verify_text("DKIM-Signature: v=1; a=rsa-sha1\n" + msg,
                       map_lookup({{name, rfc8463_record}}));
  REQUIRE(r.size() == 2);
  CHECK(r[0].status == Status::permerror);
  CHECK(r[1].status == Status::pass);
  CHECK(verify_text(rfc_message, map_lookup({})).empty());
}

TEST_CASE("dkim: header selection over-signs", "[dkim]") {
  auto h = header_of(
      "Received: from x\nFrom: a@x.test\nTo: b@y.test\nTo: c@y.test\nList-Id: <l.x.test>\nlist-post: "
      "<mailto:l@x.test>\nContent-Type: text/plain\nX-Other: 1\n\nbody\n");
  auto names = headers_to_sign(h);
  std::string joined;
  for (const auto& n : names) joined += n + ":";
  CHECK(joined ==
        "From:From:Reply-To:Subject:Date:Message-ID:To:To:To:Cc:Content-Type:Content-Type:"
        "List-Id:List-Id:list-post:list-post:List-Unsubscribe-Post:List-Unsubscribe:");
}

TEST_CASE("dkim: sign and verify round trips", "[dkim]") {
  const std::string msg =
      "Received: from a by b\nFrom: \"Joe\" <joe@Example.COM>\nTo: list@example.com\nSubject: hello\n"
      "List-Unsubscribe: <mailto:l-unsubscribe@example.com>\nDate: Tue, 24 Nov 2026 19:00:00 +0000\n\n"
      "Body line   with  spaces  \n\n\n";
  for (Algorithm a : {Algorithm::rsa_sha256, Algorithm::ed25519_sha256}) {
    INFO(algorithm_name(a));
    PrivateKey key = PrivateKey::generate(a);
    if (a == Algorithm::rsa_sha256) CHECK(key.bits() == 2048);
    std::string record = mta::cat("v=DKIM1; k=", a == Algorithm::rsa_sha256 ? "rsa" : "ed25519",
                             "; p=", key.public_record_value());
    auto lookup = map_lookup({{"s1._domainkey.example.com", record}});
    std::vector<SigningKey> keys;
    keys.push_back({"example.com", "s1", PrivateKey::from_pem(key.to_pem())});
    Signer signer(std::move(keys));
    auto in = mta::io::Reader::from_string(msg);
    std::string fields = signer.sign_stream(in, 1795000000);
    CHECK(fields.find("l=") == std::string::npos);
    CHECK(fields.find("c=relaxed/relaxed") != std::string::npos);
    CHECK(fields.find("x=1795604800") != std::string::npos);
    CHECK(fields.rfind("\tb=") > fields.find("bh="));  // b= last

    CHECK(verify_text(fields + msg, lookup, 1795000000)[0].status == Status::pass);
    // CRLF on the wire verifies the same
    std::string crlf;
    for (char c : fields + msg) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    CHECK(verify_text(crlf, lookup, 1795000000)[0].status == Status::pass);
    // a trace field added in transit does not matter
    CHECK(verify_text("Received: later\n" + fields + msg, lookup, 1795000000)[0].status == Status::pass);
    // an added From, Subject or List-Unsubscribe breaks it (over-signing)
    for (const char* added : {"From: evil@x.test\n", "Subject: other\n", "Reply-To: evil@x.test\n",
                              "List-Unsubscribe: <https://evil.test/>\n", "List-Unsubscribe-Post: x\n"}) {
      INFO(added);
      std::string tampered = fields + msg;
      tampered.insert(tampered.find("\n\n") + 1, added);
      CHECK(verify_text(tampered, lookup, 1795000000)[0].status == Status::fail);
    }
    // an appended footer breaks it (no l=)
    CHECK(verify_text(fields + msg + "footer\n", lookup, 1795000000)[0].status == Status::fail);
    // expired after x=
    auto late = verify_text(fields + msg, lookup, 1795000000 + default_expiry + 1);
    CHECK(late[0].reason == "signature expired");
  }
}

namespace {

// OpenSSL's own Ed25519, the reference the libsodium path must agree with.
struct Pkey {
  EVP_PKEY* p;
  ~Pkey() { EVP_PKEY_free(p); }
};

std::string openssl_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  REQUIRE(PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

EVP_PKEY* openssl_read_pem(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return key;
}

std::string openssl_public(EVP_PKEY* key) {
  unsigned char pub[32];
  std::size_t n = sizeof pub;
  REQUIRE(EVP_PKEY_get_raw_public_key(key, pub, &n) == 1);
  return std::string(reinterpret_cast<char*>(pub), n);
}

// ed25519-sha256 by OpenSSL: pure Ed25519 over the SHA-256 of the data.
std::string openssl_sign(EVP_PKEY* key, std::string_view data) {
  std::string digest = sha256(data);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char sig[64];
  std::size_t n = sizeof sig;
  REQUIRE(EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key) == 1);
  REQUIRE(EVP_DigestSign(ctx, sig, &n, reinterpret_cast<const unsigned char*>(digest.data()), digest.size()) == 1);
  EVP_MD_CTX_free(ctx);
  return std::string(reinterpret_cast<char*>(sig), n);
}

bool openssl_verify(EVP_PKEY* key, std::string_view data, std::string_view sig) {
  std::string digest = sha256(data);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  REQUIRE(EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key) == 1);
  int ok = EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                            reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
  EVP_MD_CTX_free(ctx);
  return ok == 1;
}

}  // namespace

TEST_CASE("dkim: CopySigner signs a copy as Signer signs the whole header", "[dkim]") {
  std::vector<SigningKey> keys;
  keys.push_back({"example.com", "r", PrivateKey::generate(Algorithm::rsa_sha256)});
  keys.push_back({"example.com", "e", PrivateKey::generate(Algorithm::ed25519_sha256)});
  Signer signer(std::move(keys));
  const std::string bh = sha256("body\r\n");
  auto copy_of = [](const std::string& unsubscribe) {
    return header_of(
        "Received: x\nFrom: a@example.com\nTo:  b@y.test\nList-Id: <l.example.com>\nSubject: s\n"
        "List-Unsubscribe: " + unsubscribe + "\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
        "List-Post: <mailto:l@example.com>\nTo: c@y.test\n\nbody\n");
  };
  auto model = copy_of("<mailto:model@example.com>");
  CopySigner copies(signer, model, {"List-Unsubscribe"}, bh, 1795000000);
  for (const char* u : {"<mailto:u1@example.com>", "<mailto:u2@example.com>,\n <https://x.test/?a=1>"}) {
    INFO(u);
    auto copy = copy_of(u);
    const mta::message::Field* f = copy.find("List-Unsubscribe");
    REQUIRE(f);
    std::string fields = copies.sign(std::span(f, 1));
    CHECK(fields == signer.sign(copy, bh, 1795000000));
    CHECK(fields.find("h=From:From:") != std::string::npos);
  }
  // The same with a name listed before the varying one and instances counted bottom up.
  CopySigner by_to(signer, model, {"To"}, bh, 1795000000);
  auto copy = copy_of("<mailto:model@example.com>");
  copy.fields[2].raw = "To: other@y.test\n";
  std::vector<mta::message::Field> tos = {copy.fields[2], copy.fields.back()};
  CHECK(by_to.sign(tos) == signer.sign(copy, bh, 1795000000));
  // A copy with another number of varying fields is not a copy of this message.
  CHECK_THROWS_AS(by_to.sign(std::span(&tos[0], 1)), mta::TempError);
}

TEST_CASE("dkim: Ed25519 (libsodium) agrees with OpenSSL", "[dkim]") {
  const Algorithm ed = Algorithm::ed25519_sha256;
  // malformed first
  CHECK_THROWS_AS(PrivateKey::ed25519_from_seed(std::string(31, 'x')), KeyError);
  CHECK_THROWS_AS(PrivateKey::ed25519_from_seed(std::string(33, 'x')), KeyError);
  CHECK_THROWS_AS(verify_signature(ed, std::string(31, 'x'), "data", std::string(64, 's')), KeyError);
  CHECK_THROWS_AS(verify_signature(ed, std::string(33, 'x'), "data", std::string(64, 's')), KeyError);

  const std::string data = "from:Joe <joe@example.com>\r\nsubject:hello\r\ndkim-signature:v=1; b=";
  for (bool ours_made_it : {false, true}) {
    INFO((ours_made_it ? "key made by PrivateKey::generate" : "key made by OpenSSL"));
    std::string pem;
    if (ours_made_it) {
      pem = PrivateKey::generate(ed).to_pem();
    } else {
      Pkey made{EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")};
      REQUIRE(made.p);
      pem = openssl_pem(made.p);
    }
    Pkey theirs{openssl_read_pem(pem)};
    REQUIRE(theirs.p);
    PrivateKey ours = PrivateKey::from_pem(pem);
    REQUIRE(ours.algorithm() == ed);
    CHECK(ours.to_pem() == pem);  // the key file round-trips unchanged
    std::string pub = openssl_public(theirs.p);
    CHECK(ours.public_record_value() == mta::cte::base64_encode(pub));

    // Deterministic: the same bytes either way, each verifying with the other.
    std::string sig = ours.sign(data);
    REQUIRE(sig.size() == 64);
    CHECK(hex(sig) == hex(openssl_sign(theirs.p, data)));
    CHECK(openssl_verify(theirs.p, data, sig));
    CHECK(verify_signature(ed, pub, data, openssl_sign(theirs.p, data)));

    // Tampered data or signature, a short signature, another key: no.
    std::string altered = data;
    altered[5] ^= 1;
    CHECK_FALSE(verify_signature(ed, pub, altered, sig));
    CHECK_FALSE(openssl_verify(theirs.p, altered, sig));
    std::string bad_sig = sig;
    bad_sig[10] ^= 0x40;
    CHECK_FALSE(verify_signature(ed, pub, data, bad_sig));
    CHECK_FALSE(verify_signature(ed, pub, data, sig.substr(0, 63)));
    std::string other = mta::cte::base64_decode_strict(PrivateKey::generate(ed).public_record_value()).value();
    CHECK_FALSE(verify_signature(ed, other, data, sig));
  }
}

// PEM of a DER given in hex.
std::string pem_of(const std::string& label, const std::string& hex_der) {
  std::string der;
  for (std::size_t i = 0; i + 1 < hex_der.size(); i += 2) der += static_cast<char>(std::stoi(hex_der.substr(i, 2), nullptr, 16));
  return mta::cat("-----BEGIN ", label, "-----\n", mta::cte::base64_encode(der), "\n-----END ", label, "-----\n");
}

TEST_CASE("dkim: Ed25519 key files read as OpenSSL reads them", "[dkim]") {
  // PKCS#8 Ed25519 keys are read without OpenSSL's decoder framework; any
  // other form goes through it. Both must take and refuse the same files.
  const std::string seed = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";  // RFC 8032 test 1
  const std::string pub = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
  struct Row {
    const char* what;
    std::string pem;
  };
  const Row rows[] = {
      {"empty", ""},
      {"not base64 DER", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"},
      {"31-byte seed", pem_of("PRIVATE KEY", "302d020100300506032b657004210420" + seed.substr(2))},
      {"33-byte seed", pem_of("PRIVATE KEY", "302f020100300506032b657004230421" + seed + "00")},
      {"NULL parameters", pem_of("PRIVATE KEY", "3030020100300706032b6570050004220420" + seed)},
      {"X25519, not Ed25519", pem_of("PRIVATE KEY", "302e020100300506032b656e04220420" + seed)},
      {"trailing byte", pem_of("PRIVATE KEY", "302e020100300506032b657004220420" + seed + "00")},
      {"wrong label", pem_of("PUBLIC KEY", "302e020100300506032b657004220420" + seed)},
      {"with the public key (v2)", pem_of("PRIVATE KEY", "3051020101300506032b657004220420" + seed + "812100" + pub)},
      {"PKCS#8 v1", pem_of("PRIVATE KEY", "302e020100300506032b657004220420" + seed)},
      {"after another block", "-----BEGIN X-----\nAAAA\n-----END X-----\n" +
                                  pem_of("PRIVATE KEY", "302e020100300506032b657004220420" + seed)},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    Pkey theirs{openssl_read_pem(row.pem)};
    bool openssl_ed25519 = theirs.p && EVP_PKEY_get_base_id(theirs.p) == EVP_PKEY_ED25519;
    if (!openssl_ed25519) {
      CHECK_THROWS_AS(PrivateKey::from_pem(row.pem), KeyError);
      continue;
    }
    PrivateKey ours = PrivateKey::from_pem(row.pem);
    CHECK(ours.public_record_value() == mta::cte::base64_encode(openssl_public(theirs.p)));
    CHECK(hex(mta::cte::base64_decode_strict(ours.public_record_value()).value()) == pub);
    CHECK(hex(ours.sign("abc")) == hex(openssl_sign(theirs.p, "abc")));
  }
  // the RSA keys and their traditional PEM still go through OpenSSL's decoders
  std::string rsa_pem = PrivateKey::generate(Algorithm::rsa_sha256).to_pem();
  CHECK(PrivateKey::from_pem(rsa_pem).algorithm() == Algorithm::rsa_sha256);
}

TEST_CASE("dkim: key store and sign_outbound", "[dkim]") {
  lettershop_test::TempDir dir("dkim");
  mta::Home home{dir.path};
  auto dkim = dir.path / "control" / "dkim";
  const std::string msg = "From: Joe <joe@mail.example.com>\nTo: x@y.test\nSubject: s\n\nhello\n";
  auto write = [](const std::filesystem::path& p, const std::string& text) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
  };
  auto message_fd = [&](const std::string& text, off_t skip) {
    auto path = dir.path / "mess";
    write(path, std::string(static_cast<std::size_t>(skip), 'X') + text);
    mta::io::Fd fd(::open(path.c_str(), O_RDONLY));
    REQUIRE(fd);
    REQUIRE(::lseek(fd.get(), skip, SEEK_SET) == skip);
    return fd;
  };

  // No control/dkim: nothing is read at all.
  {
    auto fd = message_fd(msg, 3);
    CHECK(sign_outbound(home, fd.get(), 1795000000).empty());
    CHECK(::lseek(fd.get(), 0, SEEK_CUR) == 3);
  }
  // Unsafe or unknown domains find nothing.
  std::filesystem::create_directories(dkim);
  CHECK(load_keys(dkim, "../etc").empty());
  CHECK(load_keys(dkim, "").empty());
  CHECK(load_keys(dkim, "mail.example.com").empty());
  // A key file of the wrong type, or not a key, is a temporary error.
  write(dkim / "bad.test" / "s.rsa", PrivateKey::generate(Algorithm::ed25519_sha256).to_pem());
  CHECK_THROWS_AS(load_keys(dkim, "bad.test"), mta::TempError);
  write(dkim / "bad2.test" / "s.ed25519", "not a key\n");
  CHECK_THROWS_AS(load_keys(dkim, "bad2.test"), mta::TempError);

  // Keys of the parent domain sign for a subdomain; both types give two signatures.
  PrivateKey rsa = PrivateKey::generate(Algorithm::rsa_sha256);
  PrivateKey ed = PrivateKey::generate(Algorithm::ed25519_sha256);
  write(dkim / "example.com" / "r2026.rsa", rsa.to_pem());
  write(dkim / "example.com" / "e2026.ed25519", ed.to_pem());
  write(dkim / "example.com" / "README", "keys\n");
  auto keys = load_keys(dkim, "MAIL.example.com");
  REQUIRE(keys.size() == 2);
  CHECK(keys[0].selector == "e2026");
  CHECK(keys[0].domain == "example.com");

  auto fd = message_fd(msg, 7);
  std::string fields = sign_outbound(home, fd.get(), 1795000000);
  CHECK(::lseek(fd.get(), 0, SEEK_CUR) == 7);  // back where it was: qmail-remote sends from here
  auto lookup = map_lookup({{"r2026._domainkey.example.com", "v=DKIM1; p=" + rsa.public_record_value()},
                            {"e2026._domainkey.example.com", "v=DKIM1; k=ed25519; p=" + ed.public_record_value()}});
  auto results = verify_text(fields + msg, lookup, 1795000000);
  REQUIRE(results.size() == 2);
  CHECK(results[0].status == Status::pass);
  CHECK(results[1].status == Status::pass);

  // A pipe is spooled and put in its place.
  int p[2];
  REQUIRE(::pipe(p) == 0);
  REQUIRE(::write(p[1], msg.data(), msg.size()) == static_cast<ssize_t>(msg.size()));
  ::close(p[1]);
  std::string piped = sign_outbound(home, p[0], 1795000000);
  CHECK(verify_text(piped + msg, lookup, 1795000000)[0].status == Status::pass);
  mta::io::Reader rest(p[0]);
  CHECK(rest.read_all() == msg);
  ::close(p[0]);

  // A message from a domain without keys passes unsigned and unread.
  auto other = message_fd("From: a@other.test\n\nx\n", 0);
  CHECK(sign_outbound(home, other.get(), 1795000000).empty());
  CHECK(::lseek(other.get(), 0, SEEK_CUR) == 0);
}
