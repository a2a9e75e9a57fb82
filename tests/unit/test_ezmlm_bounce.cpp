// ezmlm-return's and ezmlm-warn's bookkeeping (ezmlm.md 5.1, 5.2): the
// DEFAULT forms, the d/h/w files, cookie checks with a given clock, the
// DMARC/transient screening, and ezmlm-warn's lockout and timeout.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "ezmlm/lib/bounce.h"
#include "ezmlm/lib/cookie_addr.h"
#include "ezmlm/lib/subdb.h"
#include "tmpdir.h"

using namespace ezmlm;
using namespace ezmlm::bounce;
namespace fs = std::filesystem;

namespace {

using lettershop_test::put;

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<std::string> files_under(const fs::path& p) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(p, ec); it != fs::recursive_directory_iterator(); ++it)
    if (it->is_regular_file()) out.push_back(fs::relative(it->path(), p).string());
  std::sort(out.begin(), out.end());
  return out;
}

struct List {
  lettershop_test::TempDir tmp{"ezmlm-bounce"};
  Env env = Env::defaults();
  List() {
    put(tmp.path / "outlocal", "list\n");
    put(tmp.path / "outhost", "example.test\n");
    put(tmp.path / "key", "0123456789abcdef0123456789abcdef");
    fs::create_directories(tmp.path / "etc/default");
    fs::create_directories(tmp.path / "bounce");
    env.etc = (tmp.path / "etc").string();
    for (std::string sub : {"", "digest"}) {
      fs::create_directories(tmp.path / sub / "subscribers");
      fs::create_directories(tmp.path / sub / "bounce");
    }
    auto d = dir();
    open_store(d, "")->add("sub@example.org", "manual", "");
    open_store(d, "")->add("other@example.org", "manual", "");
    open_store(d, "digest")->add("dig@example.org", "manual", "");
  }
  ListDir dir() const { return ListDir(tmp.path, env); }
};

const std::string qsbmf_for(const std::string& addr, const std::string& text = "no mailbox (#5.1.1)") {
  return "Subject: failure notice\n\nHi. This is the qmail-send program at x.\n\n<" + addr + ">:\n" + text +
         "\n\n--- Below this line is a copy of the message.\n\nSubject: p\n";
}

ReturnInput input(std::string deflt, std::string message, std::time_t now) {
  ReturnInput in;
  in.sender = "";
  in.deflt = std::move(deflt);
  in.message = std::move(message);
  in.now = now;
  in.pid = 4242;
  return in;
}

}  // namespace

TEST_CASE("parse_return: the forms of DEFAULT", "[ezmlm][bounce]") {
  struct Row { std::string in; Kind kind; unsigned long msgnum; std::string box; };
  const std::vector<Row> rows = {
      // malformed: unknown
      {"-", Kind::unknown, 0, ""},
      {"x-", Kind::unknown, 0, ""},
      {"12", Kind::unknown, 0, ""},
      {"12-box", Kind::unknown, 0, ""},
      {"12-=dom", Kind::unknown, 0, ""},
      {"12-box=", Kind::unknown, 0, ""},
      {"99999999999999999999-a=b", Kind::unknown, 0, ""},
      {"receipt-1-x", Kind::unknown, 0, ""},
      // good
      {"", Kind::trash, 0, ""},
      {"12-", Kind::bare, 12, ""},
      {"12-user=example.org", Kind::verp, 12, "user@example.org"},
      {"3-a=b=c.example", Kind::verp, 3, "a=b@c.example"},
      {"probe-1.aaaaaaaaaaaaaaaaaaaa-a=b", Kind::probe, 0, ""},
      {"warn-1.aaaaaaaaaaaaaaaaaaaa-a=b", Kind::warn, 0, ""},
  };
  for (const auto& row : rows) {
    INFO(row.in);
    auto r = parse_return(row.in);
    CHECK(r.kind == row.kind);
    CHECK(r.msgnum == row.msgnum);
    CHECK(r.box == row.box);
  }
  auto h = history_name("sub@example.org");
  REQUIRE(h.size() == 24);
  CHECK(h.substr(0, 2) == "h/");
  CHECK(h.substr(3, 2) == "/h");
  CHECK(history_name("sub@example.org") == h);
  CHECK(history_name("other@example.org") != h);
}

TEST_CASE("ezmlm-return stores the first bounce, counts later ones", "[ezmlm][bounce]") {
  List l;
  auto dir = l.dir();
  const std::time_t now = 1790000000;
  auto r = handle_return(dir, false, input("5-sub=example.org", qsbmf_for("sub@example.org"), now));
  REQUIRE(r.addresses.size() == 1);
  CHECK(r.addresses[0].second == Outcome::stored);
  const std::string hist = history_name("sub@example.org");
  const std::string dname = "d/179000/d0.4242";
  CHECK(files_under(l.tmp.path / "bounce") == std::vector<std::string>{dname, hist});
  std::string record = slurp(l.tmp.path / "bounce" / dname);
  CHECK(record.substr(0, 16) == "sub@example.org" + std::string(1, '\0'));
  CHECK(record.substr(16, 16) == "Return-Path: <>\n");
  CHECK(slurp(l.tmp.path / "bounce" / hist) == "   5\n");

  r = handle_return(dir, false, input("6-sub=example.org", qsbmf_for("sub@example.org"), now + 1));
  CHECK(r.addresses[0].second == Outcome::counted);
  CHECK(files_under(l.tmp.path / "bounce") == std::vector<std::string>{dname, hist});
  CHECK(slurp(l.tmp.path / "bounce" / hist) == "   5\n   6\n");

  // Not a subscriber, no report naming one: nothing.
  r = handle_return(dir, false, input("7-x=example.org", "Subject: hi\n\nbody\n", now));
  CHECK(files_under(l.tmp.path / "bounce").size() == 2);
  // Digest: the digest db and DIR/digest/bounce.
  r = handle_return(dir, true, input("7-dig=example.org", qsbmf_for("dig@example.org"), now));
  CHECK(r.addresses[0].second == Outcome::stored);
  CHECK(files_under(l.tmp.path / "digest/bounce").size() == 2);
  CHECK(files_under(l.tmp.path / "bounce").size() == 2);
}

TEST_CASE("ezmlm-return: DMARC and transient failures are logged, not counted", "[ezmlm][bounce]") {
  List l;
  auto dir = l.dir();
  const std::time_t now = 1790000000;
  auto r = handle_return(dir, false,
                         input("5-sub=example.org",
                               qsbmf_for("sub@example.org", "Remote host said: 550 5.7.26 Unauthenticated email\n"
                                                            "is not accepted due to domain's DMARC policy"),
                               now));
  REQUIRE(r.addresses.size() == 1);
  CHECK(r.addresses[0].second == Outcome::not_counted);
  REQUIRE(r.info.size() == 1);
  CHECK(r.info[0].find("sub@example.org") != std::string::npos);
  CHECK(files_under(l.tmp.path / "bounce") == std::vector<std::string>{"Log"});
  std::string log = slurp(l.tmp.path / "bounce/Log");
  CHECK(log.rfind("1790000000 ~policy sub@example.org 5.7.26 Remote host said: 550 5.7.26 Unauthenticated", 0) == 0);

  r = handle_return(dir, false, input("6-", qsbmf_for("other@example.org", "Remote host said: 452 4.2.2 full"), now));
  REQUIRE(r.addresses.size() == 1);
  CHECK(r.addresses[0].second == Outcome::not_counted);
  CHECK(slurp(l.tmp.path / "bounce/Log").find("~transient other@example.org 4.2.2") != std::string::npos);
  CHECK(files_under(l.tmp.path / "bounce") == std::vector<std::string>{"Log"});

  // Control characters and 8-bit bytes never reach the Log raw.
  handle_return(dir, false, input("7-sub=example.org", qsbmf_for("sub@example.org", "550 5.7.1 DMARC \x01\xff\ttab"), now));
  log = slurp(l.tmp.path / "bounce/Log");
  CHECK(log.find('\x01') == std::string::npos);
  CHECK(log.find('\xff') == std::string::npos);
  CHECK(log.find("DMARC ? tab") != std::string::npos);  // squeezed, then made safe
}

TEST_CASE("ezmlm-return: warn and probe cookies with a clock", "[ezmlm][bounce]") {
  List l;
  auto dir = l.dir();
  const std::string key = read_key(dir);
  const std::time_t sent = 1790000000;
  const std::string warn = bounce_cookie(key, 'W', "sub@example.org", sent);
  const std::string probe = bounce_cookie(key, 'P', "sub@example.org", sent);
  REQUIRE(warn.rfind("warn-", 0) == 0);
  REQUIRE(probe.rfind("probe-", 0) == 0);

  // A warn cookie used as a probe is forged; so is an altered one.
  std::string as_probe = "probe-" + warn.substr(5);
  auto r = handle_return(dir, false, input(as_probe, "x", sent + 10));
  CHECK(r.addresses[0].second == Outcome::bad_cookie);
  // Expired: more than 3,000,000 s old.
  r = handle_return(dir, false, input(probe, "x", sent + 3000001));
  CHECK(r.addresses[0].second == Outcome::bad_cookie);
  CHECK(open_store(dir, "")->contains("sub@example.org"));

  r = handle_return(dir, false, input(warn, qsbmf_for("sub@example.org"), sent + 100));
  CHECK(r.addresses[0].second == Outcome::warn_stored);
  auto files = files_under(l.tmp.path / "bounce");
  REQUIRE(files.size() == 1);
  CHECK(files[0] == "d/179000/w100.4242");

  // A probe refused for DMARC removes nobody.
  r = handle_return(dir, false,
                    input(probe, qsbmf_for("sub@example.org", "Remote host said: 550 5.7.26 DMARC policy"), sent + 200));
  CHECK(r.addresses[0].second == Outcome::not_counted);
  CHECK(open_store(dir, "")->contains("sub@example.org"));

  r = handle_return(dir, false, input(probe, "x", sent + 3000000));
  CHECK(r.addresses[0].second == Outcome::removed);
  CHECK_FALSE(open_store(dir, "")->contains("sub@example.org"));
  CHECK(open_store(dir, "")->contains("other@example.org"));
  CHECK(slurp(l.tmp.path / "Log").find(" -probe sub@example.org") != std::string::npos);
  // Again: no longer a subscriber.
  r = handle_return(dir, false, input(probe, "x", sent + 3000000));
  CHECK(r.addresses[0].second == Outcome::not_subscriber);
}

TEST_CASE("ezmlm-warn: timeout, lockout, and files of former subscribers", "[ezmlm][bounce]") {
  List l;
  auto dir = l.dir();
  const std::time_t t = 1790000000;
  handle_return(dir, false, input("5-sub=example.org", qsbmf_for("sub@example.org"), t));
  open_store(dir, "")->remove("sub@example.org", "manual", "");

  WarnOptions o;  // 10 days
  auto w = run_warn(dir, o, t + 86400);
  CHECK(w.dropped == 0);
  CHECK(files_under(l.tmp.path / "bounce").size() == 4);  // d, h, lastd, lasth (first expiry)
  CHECK(slurp(l.tmp.path / "bounce/lastd") == std::to_string(t + 86400) + "\n");

  // Past the timeout but within the lockout (timeout/50) of the last run: nothing.
  w = run_warn(dir, o, t + 86400 + 100);
  CHECK(w.dropped == 0);
  // -l0 lifts the lockout; the slot is still too young for 10 days.
  o.lockout = 0;
  w = run_warn(dir, o, t + 86400 + 100);
  CHECK(w.dropped == 0);
  // Old enough: a former subscriber's file goes without mail, with its history.
  w = run_warn(dir, o, t + 10 * 86400 + 1);
  CHECK(w.dropped == 1);
  CHECK(w.warnings == 0);
  auto files = files_under(l.tmp.path / "bounce");
  CHECK(files == std::vector<std::string>{"lastd", "lasth"});
  CHECK_FALSE(fs::exists(l.tmp.path / "bounce/d/179000"));
}

TEST_CASE("ezmlm-warn expires one h subdirectory at a time, a to p", "[ezmlm][bounce]") {
  List l;
  auto dir = l.dir();
  const std::time_t now = 1790000000;
  const fs::path h = l.tmp.path / "bounce/h";
  put(h / "a/hold", "   1\n");
  put(h / "a/hnew", "   2\n");
  put(h / "b/hold", "   3\n");
  auto set_age = [](const fs::path& p, std::time_t when) {
    fs::last_write_time(p, fs::file_time_type::clock::from_sys(std::chrono::system_clock::from_time_t(when)));
  };
  WarnOptions o;
  o.timeout = 86400;
  set_age(h / "a/hold", now - 3 * 86400 - 10);
  set_age(h / "a/hnew", now - 3 * 86400 + 10);
  set_age(h / "b/hold", now - 3 * 86400 - 10);
  run_warn(dir, o, now);
  CHECK_FALSE(fs::exists(h / "a/hold"));
  CHECK(fs::exists(h / "a/hnew"));
  CHECK(fs::exists(h / "b/hold"));
  CHECK(slurp(l.tmp.path / "bounce/lasth") == "a\n");
  // Within 100,000 s of the last expiry (lasth's time): b waits.
  set_age(l.tmp.path / "bounce/lasth", now);
  o.lockout = 0;
  run_warn(dir, o, now + 99999);
  CHECK(fs::exists(h / "b/hold"));
  run_warn(dir, o, now + 100001);
  CHECK_FALSE(fs::exists(h / "b/hold"));
  CHECK(slurp(l.tmp.path / "bounce/lasth") == "b\n");
  // After p comes a again.
  put(l.tmp.path / "bounce/lasth", "p\n");
  set_age(l.tmp.path / "bounce/lasth", now);
  run_warn(dir, o, now + 200002);
  CHECK(slurp(l.tmp.path / "bounce/lasth") == "a\n");
}
