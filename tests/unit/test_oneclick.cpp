// tests/unit/test_oneclick.cpp — mta/render/oneclick (tokens, marker,
// rendering, form parser), qmail-remote's one-click copies
// (mta/smtp/oneclick_copies) and ezmlm-oneclick's decisions (oneclick_cgi).
#include <fcntl.h>

#include <catch2/catch.hpp>

#include <fstream>

#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/oneclick_cgi.h"
#include "ezmlm/lib/subdb.h"
#include "mta/core/io.h"
#include "mta/dkim/canon.h"
#include "mta/dkim/sign.h"
#include "mta/render/oneclick.h"
#include "mta/smtp/oneclick_copies.h"
#include "tmpdir.h"

namespace oc = mta::oneclick;
namespace fs = std::filesystem;

namespace {

oc::Marker sample_marker() {
  oc::Marker m;
  m.list = "team@example.test";
  m.number = 7;
  m.when = 1795549664;
  m.key = oc::message_key("listkey", m.list, m.number, m.when);
  m.url = "https://lists.example.test/oneclick";
  return m;
}

using lettershop_test::put;

}  // namespace

TEST_CASE("oneclick: HMAC-SHA256 (RFC 4231 case 2) and hex", "[oneclick]") {
  CHECK(oc::to_hex(oc::hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // keyed once, used many times: the same MACs (RFC 4231 case 2, and a key
  // longer than a SHA-256 block, which HMAC hashes first: case 6)
  const oc::Hmac jefe("Jefe");
  for (int i = 0; i < 2; ++i)
    CHECK(oc::to_hex(jefe("what do ya want for nothing?")) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(oc::to_hex(jefe("")) == oc::to_hex(oc::hmac_sha256("Jefe", "")));
  CHECK(oc::to_hex(oc::Hmac(std::string(131, '\xaa'))("Test Using Larger Than Block-Size Key - Hash Key First")) ==
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  CHECK(oc::from_hex("0aFf") == std::string("\x0a\xff"));
  CHECK_FALSE(oc::from_hex("abc"));
  CHECK_FALSE(oc::from_hex("zz"));
  CHECK(oc::equal_ct("abc", "abc"));
  CHECK_FALSE(oc::equal_ct("abc", "abd"));
  CHECK_FALSE(oc::equal_ct("abc", "ab"));
}

TEST_CASE("oneclick: keys differ per list, message, time and address", "[oneclick]") {
  std::string k = oc::message_key("key", "a@b", 1, 100);
  CHECK(k.size() == 64);
  CHECK(k != oc::message_key("key", "a@b", 2, 100));
  CHECK(k != oc::message_key("key", "a@b", 1, 101));
  CHECK(k != oc::message_key("key", "c@b", 1, 100));
  CHECK(k != oc::message_key("key2", "a@b", 1, 100));
  std::string mac = oc::recipient_mac(k, "x@y");
  CHECK(mac.size() == oc::mac_hex_length);
  CHECK(mac != oc::recipient_mac(k, "X@y"));
  CHECK_THROWS(oc::recipient_mac("nothex", "x@y"));
  const oc::Hmac keyed(*oc::from_hex(k));
  CHECK(oc::recipient_mac(keyed, "x@y") == mac);
  CHECK(oc::recipient_mac(keyed, "X@y") == oc::recipient_mac(k, "X@y"));
}

TEST_CASE("oneclick: form parser, malformed first", "[oneclick]") {
  const char* bad[] = {"%", "a=%", "a=%4", "a=%zz", "a", "=b", "a=b&", "&a=b", "a=b&&c=d", "%zz=1"};
  for (const char* in : bad) {
    INFO(in);
    CHECK_FALSE(oc::parse_form(in));
  }
  std::string many;
  for (int i = 0; i <= static_cast<int>(oc::max_form_pairs); ++i) many += (i ? "&a=" : "a=") + std::to_string(i);
  CHECK_FALSE(oc::parse_form(many));

  struct Row {
    const char* in;
    std::vector<std::pair<std::string, std::string>> want;
  } rows[] = {
      {"", {}},
      {"a=b", {{"a", "b"}}},
      {"a=%41+b&c=", {{"a", "A b"}, {"c", ""}}},
      {"List-Unsubscribe=One-Click", {{"List-Unsubscribe", "One-Click"}}},
      {"l=team%40example.test&a=x%2By%40z", {{"l", "team@example.test"}, {"a", "x+y@z"}}},
      {"a=b;c=d", {{"a", "b;c=d"}}},
      {"a=%00", {{"a", std::string(1, '\0')}}},
  };
  for (const auto& r : rows) {
    INFO(r.in);
    auto got = oc::parse_form(r.in);
    REQUIRE(got);
    CHECK(*got == r.want);
  }
}

TEST_CASE("oneclick: marker round trip and refusals", "[oneclick]") {
  oc::Marker m = sample_marker();
  std::string v = oc::format_marker(m);
  const std::string bad[] = {
      "",
      "l=team@example.test n=7 t=1 k=" + m.key + " u=https://x/",      // no v1
      "v1 l=team@example.test n=7 t=1 k=abc u=https://x/",              // short key
      "v1 l=team@example.test n=x t=1 k=" + m.key + " u=https://x/",    // n not a number
      "v1 l=team@example.test n=7 k=" + m.key + " u=https://x/",        // no t
      "v1 l=team@example.test n=7 t=1 k=" + m.key + " u=https://x/?a",  // query in the base URL
      "v1 l=team n=7 t=1 k=" + m.key + " u=https://x/",                 // list without host
      "v1 l=team@example.test n=7 t=1 k=" + m.key + " u=https://x/ z=1",  // unknown tag
      "v1 l=team@example.test n=7 t=1 k=" + m.key,                        // no URL
  };
  for (const auto& b : bad) {
    INFO(b);
    CHECK_FALSE(oc::parse_marker(b));
  }
  auto back = oc::parse_marker(v);
  REQUIRE(back);
  CHECK(back->list == m.list);
  CHECK(back->number == m.number);
  CHECK(back->when == m.when);
  CHECK(back->key == m.key);
  CHECK(back->url == m.url);
  CHECK(oc::parse_marker(" v1\n\tl=team@example.test n=7 t=1795549664 k=" + m.key + " u=" + m.url));  // folded
}

TEST_CASE("oneclick: a rendered header", "[oneclick]") {
  oc::Marker m = sample_marker();
  auto in = mta::io::Reader::from_string(
      "From: a@example.test\nList-Unsubscribe: <mailto:team-unsubscribe@example.test>\n"
      "X-Lettershop-Oneclick: " + oc::format_marker(m) + "\nList-Unsubscribe-Post: old\nSubject: s\n\nbody\n");
  auto h = mta::message::read_header(in);
  auto out = oc::render_header(h, m, "joe+x@Remote.test");
  std::string mac = oc::recipient_mac(m.key, "joe+x@Remote.test");
  CHECK(out.text() ==
        "From: a@example.test\n"
        "List-Unsubscribe: <mailto:team-unsubscribe-joe%2Bx%3DRemote.test@example.test>,\n"
        " <https://lists.example.test/oneclick?l=team%40example.test&a=joe%2Bx%40Remote.test&n=7&t=1795549664&m=" +
            mac + ">\n"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
            "Subject: s\n");
}

TEST_CASE("oneclick: prepare finds the body of a file", "[oneclick]") {
  lettershop_test::TempDir tmp{"oneclick"};
  oc::Marker m = sample_marker();
  const std::string head = "From: a@example.test\nX-Lettershop-Oneclick: " + oc::format_marker(m) + "\n";
  for (std::string body : {std::string("\nbody\nline 2\n"), std::string("\n"), std::string("not a field\nrest\n")}) {
    INFO(body);
    put(tmp.path / "msg", head + body);
    auto fd = mta::io::open_or_throw(tmp.path / "msg", O_RDONLY);
    auto p = oc::prepare(fd.get(), 0);
    REQUIRE(p);
    std::string file = head + body;
    std::string expect_body = body[0] == '\n' ? body.substr(1) : body;
    CHECK(file.substr(static_cast<std::size_t>(p->body_offset)) == expect_body);
    // the prepared form (its key keyed once) renders what the marker alone does
    for (const char* rcpt : {"joe@remote.test", "x+y@Other.test"}) {
      INFO(rcpt);
      CHECK(oc::render_header(*p, rcpt).text() == oc::render_header(p->header, m, rcpt).text());
      oc::CopyMaker maker(*p);
      CHECK(maker.head(maker.unsubscribe_field(rcpt)) == oc::render_header(p->header, m, rcpt).text() + "\n");
    }
  }
  put(tmp.path / "plain", "From: a@example.test\n\nbody\n");
  auto fd = mta::io::open_or_throw(tmp.path / "plain", O_RDONLY);
  CHECK_FALSE(oc::prepare(fd.get(), 0));
  put(tmp.path / "broken", "X-Lettershop-Oneclick: v1 l=x\n\nbody\n");
  auto bad = mta::io::open_or_throw(tmp.path / "broken", O_RDONLY);
  CHECK_THROWS_AS(oc::prepare(bad.get(), 0), mta::TempError);
}

TEST_CASE("oneclick: qmail-remote's copies equal the whole copy rendered and signed", "[oneclick]") {
  lettershop_test::TempDir tmp{"oneclick-copies"};
  oc::Marker m = sample_marker();
  const fs::path dkim = tmp.path / "dkim";
  fs::create_directories(dkim / "example.test");
  std::vector<mta::dkim::SigningKey> keys;
  for (auto a : {mta::dkim::Algorithm::rsa_sha256, mta::dkim::Algorithm::ed25519_sha256}) {
    auto key = mta::dkim::PrivateKey::generate(a);
    bool rsa = a == mta::dkim::Algorithm::rsa_sha256;
    put(dkim / "example.test" / (rsa ? "r.rsa" : "e.ed25519"), key.to_pem());
    keys.push_back({"example.test", rsa ? "r" : "e", std::move(key)});
  }
  std::swap(keys[0], keys[1]);  // load_keys' order: by file name
  mta::dkim::Signer signer(std::move(keys));
  const std::string marker = "X-Lettershop-Oneclick: " + oc::format_marker(m) + "\n";
  const std::string body = "body  line\n\n";
  // one marker (ezmlm-send's), two markers, an old List-Unsubscribe and a header ended by a non-field line
  for (std::string head : {"From: a@example.test\nTo: t@x.test\nList-Id: <team.example.test>\n" + marker +
                               "Subject: s\n\n",
                           "List-Unsubscribe: <mailto:old@example.test>\nFrom: a@example.test\n" + marker +
                               "Subject: s\n" + marker + "List-Post: <mailto:team@example.test>\n\n",
                           "From: a@example.test\n" + marker + "not a field\n"}) {
    INFO(head);
    put(tmp.path / "msg", head + body);
    auto fd = mta::io::open_or_throw(tmp.path / "msg", O_RDONLY);
    auto p = oc::prepare(fd.get(), 0);
    auto whole = oc::prepare(fd.get(), 0);  // a second reading, for the whole-header way
    REQUIRE(p);
    REQUIRE(whole);
    mta::remote::OneclickCopies copies(std::move(*p), fd.get(), dkim, 1795000000);
    REQUIRE(copies.signs());
    ::lseek(fd.get(), whole->body_offset, SEEK_SET);
    mta::io::Reader rest(fd.get());
    std::string bh = mta::dkim::body_hash(mta::message::Header{}, rest, mta::dkim::Canon::relaxed);
    for (const char* rcpt : {"joe@remote.test", "x+y@Other.test", "u@d.test"}) {
      INFO(rcpt);
      auto h = oc::render_header(*whole, rcpt);
      auto copy = copies.copy(rcpt);
      CHECK(copy.body_offset == whole->body_offset);
      CHECK(copy.head == signer.sign(h, bh, 1795000000) + h.text() + "\n");
    }
  }
  // Without control/dkim the copies are rendered, unsigned.
  put(tmp.path / "msg", "From: a@example.test\n" + marker + "\n" + body);
  auto fd = mta::io::open_or_throw(tmp.path / "msg", O_RDONLY);
  auto p = oc::prepare(fd.get(), 0);
  auto whole = oc::prepare(fd.get(), 0);
  REQUIRE(p);
  REQUIRE(whole);
  mta::remote::OneclickCopies copies(std::move(*p), fd.get(), tmp.path / "none", 1795000000);
  CHECK_FALSE(copies.signs());
  CHECK(copies.copy("joe@remote.test").head == oc::render_header(*whole, "joe@remote.test").text() + "\n");
}

TEST_CASE("oneclick: qmail-lspawn's byte search and its unprivileged renderer's pieces", "[oneclick]") {
  lettershop_test::TempDir tmp{"oneclick-lspawn"};
  oc::Marker m = sample_marker();
  const std::string marker = "X-Lettershop-Oneclick: " + oc::format_marker(m) + "\n";
  auto maybe = [&](const std::string& text) {
    put(tmp.path / "m", text);
    auto fd = mta::io::open_or_throw(tmp.path / "m", O_RDONLY);
    ::lseek(fd.get(), 5, SEEK_SET);
    bool r = oc::may_carry_marker(fd.get());
    CHECK(::lseek(fd.get(), 0, SEEK_CUR) == 5);  // pread: the offset stays
    return r;
  };
  CHECK(maybe(marker + "From: a@x.test\n\nbody\n"));
  CHECK(maybe("From: a@x.test\n" + marker + "\nbody\n"));
  CHECK(maybe("From: a@x.test\nx-lettershop-ONECLICK: v1\n\nbody\n"));
  CHECK_FALSE(maybe(""));
  CHECK_FALSE(maybe("From: a@x.test\n\nbody\n"));
  CHECK_FALSE(maybe("From: a@x.test\n\n" + marker));                   // in the body
  CHECK_FALSE(maybe("Subject: about X-Lettershop-Oneclick: v1\n\nbody\n"));  // inside a value
  CHECK(maybe("From: a@x.test\n" + std::string(70000, 'x') + "\n\nbody\n"));  // header past 64 KB: maybe

  // render_local_to writes what render_local gives, to a file copy_file made
  const std::string msg = "From: a@example.test\n" + marker + "Subject: s\n\nbody\n";
  put(tmp.path / "m", msg);
  auto fd = mta::io::open_or_throw(tmp.path / "m", O_RDONLY);
  auto whole = oc::render_local(fd.get(), "", "joe@remote.test");
  REQUIRE(whole);
  mta::io::Fd out = oc::copy_file();
  CHECK(oc::render_local_to(fd.get(), "", "joe@remote.test", out.get()));
  CHECK(::lseek(fd.get(), 0, SEEK_CUR) == 0);
  ::lseek(out.get(), 0, SEEK_SET);
  std::string a = mta::io::Reader(whole.get()).read_all(), b = mta::io::Reader(out.get()).read_all();
  CHECK(a == b);
  CHECK(b.find("X-Lettershop-Oneclick") == std::string::npos);
  CHECK(b.find("a=joe%40remote.test") != std::string::npos);
  put(tmp.path / "plain", "From: a@example.test\n\nbody\n");
  auto plain = mta::io::open_or_throw(tmp.path / "plain", O_RDONLY);
  mta::io::Fd unused = oc::copy_file();
  CHECK_FALSE(oc::render_local_to(plain.get(), "", "joe@remote.test", unused.get()));
  CHECK(::lseek(plain.get(), 0, SEEK_CUR) == 0);
  CHECK(::lseek(unused.get(), 0, SEEK_END) == 0);
}

TEST_CASE("oneclick: the recipient from ezmlm's VERP sender", "[oneclick]") {
  struct Row {
    const char* sender;
    const char* want;
  } rows[] = {
      {"team-return-7-joe=remote.test@example.test", "joe@remote.test"},
      {"team-return-7-a=b=c.test@example.test", "a=b@c.test"},
      {"team-return-7-@example.test", "fallback@x"},           // not expanded
      {"team-return-x-joe=remote.test@example.test", "fallback@x"},
      {"other-return-7-joe=remote.test@example.test", "fallback@x"},
      {"team-return-7-joe=remote.test@elsewhere.test", "fallback@x"},
      {"team-return-7-joe@example.test", "fallback@x"},        // no '='
      {"", "fallback@x"},
  };
  for (const auto& r : rows) {
    INFO(r.sender);
    CHECK(oc::verp_recipient(r.sender, "team@example.test", "fallback@x") == r.want);
  }
}

TEST_CASE("ezmlm-oneclick: configuration lines", "[oneclick]") {
  std::string conf = "# comment\n\nrel@example.test:relative/dir\nTeam@Example.test: /lists/team \nbad line\n";
  CHECK(ezmlm::oneclick::find_list(conf, "team@example.test") == fs::path("/lists/team"));
  CHECK_FALSE(ezmlm::oneclick::find_list(conf, "rel@example.test"));
  CHECK_FALSE(ezmlm::oneclick::find_list(conf, "other@example.test"));
}

TEST_CASE("ezmlm-oneclick: the decisions", "[oneclick]") {
  namespace ec = ezmlm::oneclick;
  lettershop_test::TempDir tmp{"oneclick-cgi"};
  put(tmp.path / "key", "0123456789abcdef0123456789abcdef");
  fs::create_directories(tmp.path / "subscribers");
  ezmlm::ListDir dir(tmp.path);
  ezmlm::open_store(dir, "")->add("joe@remote.test", "manual", "");
  ezmlm::open_store(dir, "")->add("ann@remote.test", "manual", "");
  const std::string conf = "team@example.test:" + tmp.path.string() + "\n";
  const std::time_t now = std::time(nullptr) + 100;  // the Log's + lines are from the clock

  auto query = [&](std::string address, std::time_t when, std::string mac = "") {
    std::string key = oc::message_key("0123456789abcdef0123456789abcdef", "team@example.test", 3, when);
    if (mac.empty()) mac = oc::recipient_mac(key, address);
    return "l=team%40example.test&a=" + oc::percent_encode(address) + "&n=3&t=" + std::to_string(when) + "&m=" + mac;
  };
  auto run = [&](std::string method, std::string q, std::string body = "List-Unsubscribe=One-Click",
                 std::string type = "application/x-www-form-urlencoded") {
    return ec::handle(ec::Request{method, q, type, body}, conf, now).status;
  };
  auto subscribed = [&](const char* a) { return ezmlm::open_store(dir, "")->contains(a); };

  CHECK(run("POST", "garbage") == 400);
  CHECK(run("POST", "l=team%40example.test&a=joe%40remote.test&n=3&t=1") == 400);  // no m
  CHECK(run("POST", query("joe@remote.test", now) + "&a=x%40y") == 400);           // a twice
  CHECK(run("PUT", query("joe@remote.test", now)) == 405);
  CHECK(run("POST", "l=other%40example.test&a=joe%40remote.test&n=3&t=1&m=" + std::string(32, '0')) == 404);
  CHECK(run("POST", query("joe@remote.test", now, std::string(32, 'a'))) == 403);   // forged
  CHECK(run("POST", query("joe@remote.test", now + 7200)) == 403);                  // from the future
  CHECK(run("POST", query("joe@remote.test", now - ec::token_lifetime - 1)) == 410);  // expired
  CHECK(run("POST", query("joe@remote.test", now), "List-Unsubscribe=Yes") == 400);
  CHECK(run("POST", query("joe@remote.test", now), "") == 400);
  CHECK(run("GET", query("joe@remote.test", now)) == 200);
  CHECK(run("HEAD", query("joe@remote.test", now)) == 200);
  CHECK(subscribed("joe@remote.test"));

  auto page = ec::handle(ec::Request{"GET", query("joe@remote.test", now), "", ""}, conf, now);
  CHECK(page.body.find("<form method=\"post\">") != std::string::npos);
  CHECK(run("POST", query("joe@remote.test", now)) == 200);
  CHECK_FALSE(subscribed("joe@remote.test"));
  CHECK(run("POST", query("joe@remote.test", now)) == 410);  // second POST
  auto log = mta::io::read_file(tmp.path / "Log");
  REQUIRE(log);
  CHECK(log->find(" -oneclick joe@remote.test\n") != std::string::npos);

  // multipart/form-data (RFC 8058 allows it)
  std::string mp = "--b\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--b--\r\n";
  CHECK(run("POST", query("ann@remote.test", now - 200), mp, "multipart/form-data; boundary=b") == 403);  // predates +
  CHECK(subscribed("ann@remote.test"));
  CHECK(run("POST", query("ann@remote.test", now), mp, "multipart/form-data; boundary=b") == 200);
  CHECK_FALSE(subscribed("ann@remote.test"));
}

TEST_CASE("ezmlm-oneclick: CGI output", "[oneclick]") {
  ezmlm::oneclick::Response r{410, "Gone", "<p>x</p>"};
  CHECK(ezmlm::oneclick::cgi_output(r, false) ==
        "Status: 410 Gone\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n\r\n<p>x</p>");
  CHECK(ezmlm::oneclick::cgi_output(r, true).find("<p>") == std::string::npos);
}
