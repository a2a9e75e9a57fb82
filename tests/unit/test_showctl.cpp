// Unit tests: mta/admin/showctl — qmail-showctl's report from a control/ directory.
#include <sys/time.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "mta/admin/showctl.h"
#include "mta/core/io.h"

namespace fs = std::filesystem;
namespace sc = mta::admin::showctl;

namespace {

struct TempHome {
  mta::Home home;
  TempHome() {
    std::string tmpl = (fs::temp_directory_path() / "showctl-XXXXXX").string();
    home.root = ::mkdtemp(tmpl.data());
    fs::create_directories(home.control());
  }
  ~TempHome() { fs::remove_all(home.root); }
  void put(const char* name, const std::string& data, std::time_t mtime = 0) {
    mta::io::replace_file(home.control() / name, data);
    if (mtime) {
      struct timeval tv[2] = {{mtime, 0}, {mtime, 0}};
      ::utimes((home.control() / name).c_str(), tv);
    }
  }
  std::string report() { return sc::render(home, ids).text; }
  // The paragraph of one file: "name: ..." up to the next empty line.
  std::string paragraph(const std::string& name) {
    std::string text = report();
    auto at = text.find("\n\n" + name + ": ");
    if (at == std::string::npos) return "<missing>";
    at += 2;
    return text.substr(at, text.find("\n\n", at) - at);
  }
  sc::Ids ids{{"1", "2", "3", "0", "4", "5", "6", "7"}, {"8", "9"}};
};

}  // namespace

TEST_CASE("qmail-showctl starts with the compiled-in settings and the ids") {
  TempHome t;
  std::string head = t.report().substr(0, t.report().find("\n\n"));
  CHECK(head == "qmail home directory: " + t.home.root.string() +
                    ".\n"
                    "user-ext delimiter: -.\n"
                    "paternalism (in decimal): 2.\n"
                    "silent concurrency limit: 120.\n"
                    "subdirectory split: 23.\n"
                    "user ids: 1, 2, 3, 0, 4, 5, 6, 7.\n"
                    "group ids: 8, 9.");
}

TEST_CASE("qmail-showctl renders each control file as qmail-showctl does") {
  TempHome t;
  struct Row { const char* file; const char* contents; std::string want; };
  // Rows run in order on one directory: "me" comes first because others fall back to it.
  const Row rows[] = {
      // Absent files: the defaults.
      {"bouncehost", nullptr, "bouncehost: (Default.) Bounce host name is bouncehost."},
      {"concurrencylocal", nullptr, "concurrencylocal: (Default.) Local concurrency is 10."},
      {"locals", nullptr, "locals: (Default.) Messages for me are delivered locally."},
      {"me", nullptr, "me: (Default.) My name is undefined! Uh-oh."},
      {"morercpthosts", nullptr, "morercpthosts: (Default.) No rcpthosts; morercpthosts is irrelevant."},
      // Malformed numbers keep the default; leading space is not skipped.
      {"databytes", "abc\n", "databytes: (Default.) SMTP DATA limit is 0 bytes."},
      {"timeoutsmtpd", " 30\n", "timeoutsmtpd: (Default.) SMTP server data timeout is 1200 seconds."},
      // Present files.
      {"me", "mail.example.test  \nsecond line\n", "me: My name is mail.example.test."},
      {"bouncehost", nullptr, "bouncehost: (Default.) Bounce host name is mail.example.test."},
      {"databytes", "5000 bytes\n", "databytes: SMTP DATA limit is 5000 bytes."},
      {"locals", "# comment\n\nexample.test\t\nlocalhost\n",
       "locals: \nMessages for example.test are delivered locally.\nMessages for localhost are delivered locally."},
      {"badmailfrom", "", "badmailfrom: "},
      {"smtpgreeting", "hello there\n", "smtpgreeting: SMTP greeting: 220 hello there."},
      {"rcpthosts", "example.test\n", "rcpthosts: \nSMTP clients may send messages to recipients at example.test."},
      {"morercpthosts", nullptr, "morercpthosts: (Default.) No effect."},
      {"morercpthosts", "more.test\n",
       "morercpthosts: \nSMTP clients may send messages to recipients at more.test."},
  };
  for (const auto& row : rows) {
    INFO(row.file << " = " << (row.contents ? row.contents : "(absent)"));
    if (row.contents) t.put(row.file, row.contents);
    CHECK(t.paragraph(row.file) == row.want);
  }
}

TEST_CASE("qmail-showctl checks that morercpthosts.cdb is up to date") {
  TempHome t;
  CHECK(t.paragraph("morercpthosts.cdb") == "morercpthosts.cdb: (Default.) No effect.");
  t.put("morercpthosts", "a.test\n", 2000);
  CHECK(t.paragraph("morercpthosts.cdb") == "morercpthosts.cdb: Oops! morercpthosts exists but morercpthosts.cdb doesn't.");
  t.put("morercpthosts.cdb", "x", 1000);
  CHECK(t.paragraph("morercpthosts.cdb") == "morercpthosts.cdb: Oops! morercpthosts.cdb is older than morercpthosts.");
  t.put("morercpthosts.cdb", "x", 3000);
  CHECK(t.paragraph("morercpthosts.cdb") == "morercpthosts.cdb: Modified recently enough; hopefully up to date.");
  fs::remove(t.home.control() / "morercpthosts");
  CHECK(t.paragraph("morercpthosts.cdb") == "morercpthosts.cdb: Oops! morercpthosts.cdb exists but morercpthosts doesn't.");
}

TEST_CASE("qmail-showctl names files it does not know, and fails without control/") {
  TempHome t;
  t.put("zzz", "1\n");
  t.put("aaa", "1\n");
  std::string text = t.report();
  auto a = text.find("\n\naaa: I have no idea what this file does.\n");
  auto z = text.find("\n\nzzz: I have no idea what this file does.\n");
  CHECK(a != std::string::npos);
  CHECK(z != std::string::npos);
  CHECK(a < z);
  CHECK(text.find("me: I have no idea") == std::string::npos);
  CHECK(sc::render(t.home, t.ids).exit_code == 0);

  fs::remove_all(t.home.control());
  auto r = sc::render(t.home, t.ids);
  CHECK(r.exit_code == 111);
  CHECK(r.text.find("Oops! Unable to open ") != std::string::npos);
}

TEST_CASE("in a sandbox every account is the owner of the instance") {
  TempHome t;
  mta::io::replace_file(t.home.sandbox_marker(), "# sandbox\n");
  auto ids = sc::lookup_ids(t.home);
  std::string me = std::to_string(::getuid());
  CHECK(ids.users == std::vector<std::string>(8, me));
  CHECK(ids.groups == std::vector<std::string>(2, std::to_string(::getgid())));
}
