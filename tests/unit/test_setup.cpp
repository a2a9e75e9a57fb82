// Unit tests: mta/admin/setup — qmail-setup's derivations and the sandbox tree.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "mta/admin/setup.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

namespace fs = std::filesystem;
namespace ad = mta::admin;

TEST_CASE("qmail-setup refuses host names that cannot be a control/me line") {
  for (const char* bad : {"", "a b", "a/b", "a\nb", "tab\there", "\x7f", "caf\xc3\xa9.test"}) {
    INFO("--me '" << bad << "'");
    CHECK_THROWS_AS(ad::check_hostname(bad), mta::UsageError);
  }
  for (const char* good : {"localhost", "example.test", "mail.example.test", "[10.0.0.1]"}) {
    INFO(good);
    CHECK_NOTHROW(ad::check_hostname(good));
  }
}

TEST_CASE("defaultdomain and plusdomain are derived as config-fast does") {
  struct Row { const char* me; const char* dflt; const char* plus; };
  const Row rows[] = {
      {"localhost", "localhost", "localhost"},
      {"example.test", "example.test", "example.test"},
      {"mail.example.test", "example.test", "example.test"},
      {"a.b.example.test", "b.example.test", "example.test"},
      {".x.y", "x.y", "x.y"},
  };
  for (const auto& r : rows) {
    INFO(r.me);
    CHECK(ad::default_domain(r.me) == r.dflt);
    CHECK(ad::plus_domain(r.me) == r.plus);
  }
}

TEST_CASE("programs get qmail's installed modes") {
  CHECK(ad::program_mode("qmail-queue") == 04711);
  CHECK(ad::program_mode("qmail-lspawn") == 0700);
  CHECK(ad::program_mode("qmail-newmrh") == 0700);
  CHECK(ad::program_mode("qmail-send") == 0711);
  CHECK(ad::program_mode("splogger") == 0711);
  CHECK(ad::program_mode("qmail-inject") == 0755);
  CHECK(ad::program_mode("ezmlm-make") == 0755);
}

TEST_CASE("a sandbox instance is complete and a re-run keeps what exists") {
  std::string tmpl = (fs::temp_directory_path() / "setup-XXXXXX").string();
  fs::path tmp = ::mkdtemp(tmpl.data());
  fs::create_directories(tmp / "progs");
  mta::io::replace_file(tmp / "progs" / "qmail-fake", "#!/bin/sh\n", 0755);
  mta::io::replace_file(tmp / "progs" / "notes.txt", "not a program", 0644);

  ad::SetupOptions o{tmp / "inst", true, "mail.example.test", tmp / "progs"};
  auto report = ad::setup(o);
  CHECK(report.size() >= 5);
  fs::path d = tmp / "inst";
  CHECK(fs::read_symlink(d / "bin" / "qmail-fake") == tmp / "progs" / "qmail-fake");
  CHECK_FALSE(fs::exists(d / "bin" / "notes.txt"));
  CHECK(mta::io::read_file(d / "control" / "me") == "mail.example.test\n");
  CHECK(mta::io::read_file(d / "control" / "locals") == "mail.example.test\nlocalhost\n");
  CHECK(fs::exists(d / "queue" / "mess" / "22"));
  CHECK_FALSE(fs::exists(d / "queue" / "mess" / "23"));
  CHECK(fs::is_fifo(d / "queue" / "lock" / "trigger"));
  CHECK(fs::file_size(d / "queue" / "lock" / "tcpto") == 1024);
  struct stat st;
  REQUIRE(::stat((d / "queue" / "todo").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0750);
  CHECK(fs::exists(d / "sandbox"));
  auto passwd = mta::io::read_file(d / "users" / "passwd");
  REQUIRE(passwd);
  CHECK(passwd->find(":" + std::to_string(::getuid()) + ":") != std::string::npos);

  mta::io::replace_file(d / "control" / "me", "edited\n");
  o.me = "other.test";
  ad::setup(o);
  CHECK(mta::io::read_file(d / "control" / "me") == "edited\n");
  CHECK(mta::io::read_file(d / "control" / "rcpthosts") == "mail.example.test\n");
  fs::remove_all(tmp);
}
