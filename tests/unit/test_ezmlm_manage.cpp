// ezmlm-manage's pieces: the DEFAULT parser (malformed and odd rows first),
// the options from files and switches, the daily confirmation limit, and a
// whole run at chosen times, where an expired cookie is told from a forged
// one and neither subscribes.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "ezmlm/lib/cookie_addr.h"
#include "ezmlm/lib/manage.h"
#include "ezmlm/lib/manage_command.h"
#include "ezmlm/lib/manage_limit.h"
#include "ezmlm/lib/subdb.h"
#include "mta/core/exitcodes.h"
#include "tmpdir.h"

using namespace ezmlm;
namespace fs = std::filesystem;

namespace {
using lettershop_test::put;

struct List {
  lettershop_test::TempDir tmp{"ezmlm-manage"};
  fs::path dir = tmp.path / "list";
  Env env = Env::defaults();
  List() {
    put(dir / "outlocal", "list\n");
    put(dir / "outhost", "example.test\n");
    put(dir / "key", "0123456789abcdef0123456789abcdef");
    put(dir / "public", "");
    for (const char* t : {"top", "bottom", "sub-confirm", "sub-ok", "sub-bad", "sub-nop", "unsub-confirm", "unsub-ok",
                          "unsub-bad", "unsub-nop", "help"})
      put(dir / "text" / t, std::string(t) + " text\n");
    for (const char* sub : {"", "digest", "allow", "deny", "mod"}) fs::create_directories(dir / sub / "subscribers");
    fs::create_directories(tmp.path / "etc/default");
    env.etc = (tmp.path / "etc").string();
    // A queue program that keeps the message.
    put(tmp.path / "qq", "#!/bin/sh\ncat >\"$0.msg\"\ncat <&1 >\"$0.env\"\n");
    fs::permissions(tmp.path / "qq", fs::perms::owner_all);
    ::setenv("QMAILQUEUE", (tmp.path / "qq").c_str(), 1);
    ::setenv("QMAILHOME", tmp.path.c_str(), 1);
  }
  ~List() {
    ::unsetenv("QMAILQUEUE");
    ::unsetenv("QMAILHOME");
  }
  std::string mail() const {
    std::ifstream f(tmp.path / "qq.msg");
    return std::string(std::istreambuf_iterator<char>(f), {});
  }
  int run(std::string deflt, std::time_t now, ManageOptions options = {}, std::string sender = "u@x.org") {
    fs::remove(tmp.path / "qq.msg");
    Env e = env;
    e.sender = sender;
    e.deflt = std::move(deflt);
    ListDir d(dir, e);
    auto in = mta::io::Reader::from_string("From: u@x.org\nSubject: x\n\n");
    return manage(d, options, in, now);
  }
  bool subscribed(std::string_view a) const {
    ListDir d(dir, env);
    return open_store(d, "")->contains(a);
  }
};

std::string reply_to(const std::string& mail) {
  auto p = mail.find("\nReply-To: ");
  if (p == std::string::npos) return "";
  auto e = mail.find('\n', p + 1);
  return mail.substr(p + 11, e - p - 11);
}
}  // namespace

TEST_CASE("parse_command: malformed and odd DEFAULTs", "[ezmlm][manage]") {
  struct Row { std::string in; Verb verb; CookieDb db; std::string target; bool cookie; };
  const std::vector<Row> rows = {
      {"", Verb::help, CookieDb::main, "", false},
      {"-", Verb::help, CookieDb::main, "", false},
      {"digest-", Verb::help, CookieDb::digest, "", false},
      {"subscribe-", Verb::subscribe, CookieDb::main, "", false},
      {"sc.", Verb::sc, CookieDb::main, "", false},
      {"sc.1.abc-u=x.org", Verb::sc, CookieDb::main, "u@x.org", false},   // truncated hash
      {"ed.1.top", Verb::ed, CookieDb::main, "", false},
      {"ed.1.../x.abcdefghijklmnopabcd", Verb::ed, CookieDb::main, "", false},
      {"mod-subscribe", Verb::help, CookieDb::main, "subscribe", false},  // no mod- prefix in ezmlm
      {"subscribed", Verb::help, CookieDb::main, "", false},
      {"get", Verb::help, CookieDb::main, "", false},
      // Good ones.
      {"SUBSCRIBE", Verb::subscribe, CookieDb::main, "", false},
      {"subscribe-a=b=c.org", Verb::subscribe, CookieDb::main, "a=b@c.org", false},
      {"Digest-Subscribe-u=x.org", Verb::subscribe, CookieDb::digest, "u@x.org", false},
      {"allow-unsubscribe-u=x.org", Verb::unsubscribe, CookieDb::allow, "u@x.org", false},
      {"deny-subscribe-u=x.org", Verb::subscribe, CookieDb::deny, "u@x.org", false},
      {"allow-tc.1.abcdefghijklmnopabcd-s=x.org", Verb::tc, CookieDb::allow, "s@x.org", true},
      {"uc.1.abcdefghijklmnopabcd", Verb::uc, CookieDb::main, "", true},
      {"ed.1.sub_ok.abcdefghijklmnopabcd", Verb::ed, CookieDb::main, "", true},
      {"help-mod=x.org", Verb::help, CookieDb::main, "mod@x.org", false},
      {"listn", Verb::listn, CookieDb::main, "", false},
      {"allow-log.aaa-mod=x.org", Verb::log, CookieDb::allow, "mod@x.org", false},
      {"edit.sub_ok", Verb::edit, CookieDb::main, "", false},
      {"get.12", Verb::get, CookieDb::main, "", false},
      {"query", Verb::query, CookieDb::main, "", false},
  };
  for (const auto& r : rows) {
    INFO(r.in);
    Command c = parse_command(r.in);
    CHECK(c.verb == r.verb);
    CHECK(c.db == r.db);
    CHECK(c.target.value_or("") == r.target);
    CHECK(c.cookie.has_value() == r.cookie);
  }
  CHECK(parse_command("help").literal_help);
  CHECK_FALSE(parse_command("qqqq").literal_help);
  CHECK(parse_command("log.a_b").param == "a_b");
  CHECK(parse_command("ed.1.sub_ok.abcdefghijklmnopabcd").cookie->extra == "sub-ok");
}

TEST_CASE("manage_options: files first, then switches left to right", "[ezmlm][manage]") {
  List l;
  ListDir d(l.dir, l.env);
  auto parse = [&](std::vector<std::string> args) {
    std::vector<char*> argv;
    std::string name = "ezmlm-manage";
    argv.push_back(name.data());
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    auto cl = parse_command_line(static_cast<int>(argv.size() - 1), argv.data(), manage_spec);
    return manage_options(d, cl);
  };
  ManageOptions o = parse({});
  CHECK(o.bottom);
  CHECK(o.sub_confirm);
  CHECK(o.unsub_confirm);
  CHECK_FALSE(o.edit);
  CHECK_FALSE(o.list);
  CHECK(o.owner_copies == 0);
  put(l.dir / "omitbottom", "");
  put(l.dir / "nosubconfirm", "");
  put(l.dir / "modcanlist", "");
  o = parse({});
  CHECK_FALSE(o.bottom);
  CHECK_FALSE(o.sub_confirm);
  CHECK(o.list);
  o = parse({"-bsL", "-QQ", "-e", "-U"});
  CHECK(o.bottom);
  CHECK(o.sub_confirm);
  CHECK_FALSE(o.list);
  CHECK(o.owner_copies == 2);
  CHECK(o.edit);
  CHECK_FALSE(o.unsub_confirm);
  o = parse({"-Q", "-q", "-E", "-S", "-s"});
  CHECK(o.owner_copies == 0);
  CHECK_FALSE(o.edit);
  CHECK(o.sub_confirm);
}

TEST_CASE("the confirmation limit counts per address and day", "[ezmlm][manage]") {
  List l;
  ListDir d(l.dir, l.env);
  const std::time_t day = 1795536000;
  for (int i = 0; i < 3; ++i) CHECK(take_confirm_slot(d, "k", "A@x.org", day + i));
  CHECK_FALSE(take_confirm_slot(d, "k", "a@X.ORG", day + 10));
  CHECK(take_confirm_slot(d, "k", "b@x.org", day + 10));
  CHECK(take_confirm_slot(d, "k", "a@x.org", day + 86400));  // the next day
  put(l.dir / "confirmlimit", "1\n");
  CHECK(take_confirm_slot(d, "k", "c@x.org", day));
  CHECK_FALSE(take_confirm_slot(d, "k", "c@x.org", day));
  put(l.dir / "confirmlimit", "0\n");
  CHECK(take_confirm_slot(d, "k", "c@x.org", day));
}

TEST_CASE("an expired confirmation gets a fresh one; a forged one too; neither subscribes", "[ezmlm][manage]") {
  List l;
  const std::time_t t0 = 1795536000;
  REQUIRE(l.run("subscribe", t0) == 0);
  std::string sc = reply_to(l.mail());
  REQUIRE(sc.rfind("list-sc.1795536000.", 0) == 0);
  std::string def = sc.substr(5, sc.find('@') - 5);

  // One second past the window: expired.
  REQUIRE(l.run(def, t0 + confirm_validity + 1) == 0);
  std::string m = l.mail();
  CHECK(m.find("sub-bad text\nsub-confirm text\n") != std::string::npos);
  CHECK_FALSE(l.subscribed("u@x.org"));
  std::string fresh = reply_to(m);
  CHECK(fresh.rfind("list-sc." + std::to_string(t0 + confirm_validity + 1) + ".", 0) == 0);

  // Before it was made: refused too.
  REQUIRE(l.run(def, t0 - 1) == 0);
  CHECK_FALSE(l.subscribed("u@x.org"));

  // At the edge of the window it works.
  REQUIRE(l.run(def, t0 + confirm_validity) == 0);
  CHECK(l.mail().find("sub-ok text") != std::string::npos);
  CHECK(l.subscribed("u@x.org"));
}

TEST_CASE("a reply that fails to queue is a temporary error", "[ezmlm][manage]") {
  List l;
  put(l.tmp.path / "qq", "#!/bin/sh\nexit 71\n");
  ManageOptions o;
  o.sub_confirm = false;
  CHECK_THROWS_AS(l.run("subscribe", 1795536000, o), mta::TempError);
  // ezmlm-idx subscribes before it sends the welcome; we do the same, so a
  // retry finds the address subscribed and answers sub-nop.
  CHECK(l.subscribed("u@x.org"));
}
