// Unit tests: mta/core/paths — where an instance lives ($QMAILHOME or the
// compiled-in root) and the sandbox marker.
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

#include "mta/core/io.h"
#include "mta/core/paths.h"

namespace fs = std::filesystem;

namespace {

// Sets or unsets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("every instance path is derived from the root") {
  mta::Home h{"/srv/qmail"};
  CHECK(h.bin() == "/srv/qmail/bin");
  CHECK(h.control() == "/srv/qmail/control");
  CHECK(h.queue() == "/srv/qmail/queue");
  CHECK(h.users() == "/srv/qmail/users");
  CHECK(h.alias() == "/srv/qmail/alias");
  CHECK(h.sandbox_marker() == "/srv/qmail/sandbox");
}

TEST_CASE("QMAILHOME overrides the compiled-in root unless empty") {
  REQUIRE_FALSE(mta::running_setid());  // the tests do not run setuid
  CHECK(mta::default_qmail_home() == fs::path(LETTERSHOP_QMAILHOME));
  {
    ScopedEnv env("QMAILHOME", "/tmp/some-instance");
    CHECK(mta::qmail_home().root == "/tmp/some-instance");
  }
  {
    ScopedEnv env("QMAILHOME", "relative/dir");
    CHECK(mta::qmail_home().root == "relative/dir");
  }
  {
    ScopedEnv env("QMAILHOME", "");
    CHECK(mta::qmail_home().root == fs::path(LETTERSHOP_QMAILHOME));
  }
  {
    ScopedEnv env("QMAILHOME", nullptr);
    CHECK(mta::qmail_home().root == fs::path(LETTERSHOP_QMAILHOME));
  }
}

TEST_CASE("an instance is a sandbox exactly when ROOT/sandbox exists") {
  std::string tmpl = (fs::temp_directory_path() / "lettershop-paths-XXXXXX").string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  mta::Home h{tmpl};
  CHECK_FALSE(h.is_sandbox());
  mta::io::replace_file(h.sandbox_marker(), "");
  CHECK(h.is_sandbox());
  fs::remove(h.sandbox_marker());
  CHECK_FALSE(h.is_sandbox());
  CHECK_FALSE(mta::Home{fs::path(tmpl) / "does-not-exist"}.is_sandbox());
  fs::remove_all(tmpl);
}
