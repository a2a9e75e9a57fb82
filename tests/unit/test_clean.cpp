// Unit tests: qmail-clean's commands and pid/ sweep (mta/send/clean.h).
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "mta/send/clean.h"

namespace fs = std::filesystem;

namespace {

struct Queue {
  fs::path root;
  mta::QueueLayout q;
  Queue() {
    std::string tmpl = (fs::temp_directory_path() / "lettershop-clean-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    root = tmpl;
    q = mta::QueueLayout{root};
    for (const char* d : {"intd", "todo", "pid", "mess/0", "mess/1", "mess/2"}) fs::create_directories(root / d);
  }
  ~Queue() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  void touch(const fs::path& p) { std::ofstream(p) << "x"; }
};

}  // namespace

TEST_CASE("clean_command answers x for malformed commands") {
  Queue t;
  for (const std::string& bad : std::vector<std::string>{"", "foop/", "todo", "xxxx/12", "foop/12a", "foop/-1", "foop/012",
                          "foop/" + std::string(95, '1'), "mess/12", "todo/1/2"}) {
    INFO("command: " << bad);
    CHECK(mta::send::clean_command(t.q, bad) == 'x');
  }
}

TEST_CASE("clean_command removes intd and mess or todo") {
  Queue t;
  t.touch(t.q.intd(47));
  t.touch(t.q.mess(47));
  t.touch(t.q.todo(47));
  CHECK(mta::send::clean_command(t.q, "todo/47") == '+');
  CHECK_FALSE(fs::exists(t.q.intd(47)));
  CHECK_FALSE(fs::exists(t.q.todo(47)));
  CHECK(fs::exists(t.q.mess(47)));
  CHECK(mta::send::clean_command(t.q, "foop/47") == '+');
  CHECK_FALSE(fs::exists(t.q.mess(47)));
  CHECK(mta::send::clean_command(t.q, "foop/47") == '+');  // already gone is fine
}

TEST_CASE("clean_command answers ! when an unlink fails") {
  Queue t;
  fs::create_directories(t.q.mess(25) / "sub");  // a non-empty directory cannot be unlinked
  CHECK(mta::send::clean_command(t.q, "foop/25") == '!');
}

TEST_CASE("sweep_pid removes only pid files older than 36 hours") {
  Queue t;
  const std::time_t now = std::time(nullptr);
  fs::path old_file = t.q.pid_dir() / "1.2.3", new_file = t.q.pid_dir() / "4.5.6";
  t.touch(old_file);
  t.touch(new_file);
  struct timeval tv[2] = {{now - mta::send::pid_max_age - 10, 0}, {now, 0}};
  REQUIRE(::utimes(old_file.c_str(), tv) == 0);
  mta::send::sweep_pid(t.q, now);
  CHECK_FALSE(fs::exists(old_file));
  CHECK(fs::exists(new_file));
}

TEST_CASE("run_clean answers each command in order") {
  Queue t;
  t.touch(t.q.mess(3));
  int in[2], out[2];
  REQUIRE(::pipe(in) == 0);
  REQUIRE(::pipe(out) == 0);
  std::string cmds("foop/3\0bogus\0todo/9\0", 20);
  REQUIRE(::write(in[1], cmds.data(), cmds.size()) == static_cast<ssize_t>(cmds.size()));
  ::close(in[1]);
  mta::send::run_clean(t.q, in[0], out[1]);
  ::close(out[1]);
  char buf[8] = {};
  CHECK(::read(out[0], buf, sizeof buf) == 3);
  CHECK(std::string(buf, 3) == "+x+");
  CHECK_FALSE(fs::exists(t.q.mess(3)));
  ::close(in[0]);
  ::close(out[0]);
}
