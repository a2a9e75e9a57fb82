// Unit tests: mta/core/process — spawn with an fd plan, chdir and
// environment changes in the child, exec failure as status 120, run_capture.
// These start real (tiny) processes: that is what the module does.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/process.h"

namespace fs = std::filesystem;
namespace process = mta::process;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "lettershop-process-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = fs::canonical(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

int exit_code(int status) {
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

std::string sh_output(const std::string& script, const process::SpawnOptions& opts = {}) {
  auto [status, out] = process::run_capture({"/bin/sh", "-c", script}, "", opts);
  CHECK(exit_code(status) == 0);
  return out;
}

}  // namespace

TEST_CASE("spawn runs argv without a shell and reports the exit code") {
  CHECK(exit_code(process::wait_for(process::spawn({"/bin/sh", "-c", "exit 7"}))) == 7);
  CHECK(exit_code(process::wait_for(process::spawn({"/bin/true"}))) == 0);
  // Arguments arrive untouched, spaces and quotes included.
  auto [status, out] =
      process::run_capture({"/bin/sh", "-c", "printf '%s|' \"$@\"", "sh", "a b", "'q'", "", "$HOME"}, "");
  CHECK(exit_code(status) == 0);
  CHECK(out == "a b|'q'||$HOME|");
}

TEST_CASE("a failed exec is exit status 120 in the child, not an error in the parent") {
  TempDir tmp;
  CHECK(exit_code(process::wait_for(process::spawn({"/nonexistent/program"}))) == process::exec_failed_status);
  // No PATH search unless asked: "sh" is relative to the cwd.
  process::SpawnOptions in_tmp;
  in_tmp.chdir = tmp.path;
  CHECK(exit_code(process::wait_for(process::spawn({"sh", "-c", "exit 3"}, in_tmp))) == 120);
  process::SpawnOptions path = in_tmp;
  path.use_path = true;
  CHECK(exit_code(process::wait_for(process::spawn({"sh", "-c", "exit 3"}, path))) == 3);
  // A directory that cannot be entered is an exec failure too.
  process::SpawnOptions bad_dir;
  bad_dir.chdir = tmp.path / "missing";
  CHECK(exit_code(process::wait_for(process::spawn({"/bin/true"}, bad_dir))) == 120);
  // A file without execute permission.
  mta::io::replace_file(tmp.path / "script", "#!/bin/sh\nexit 0\n", 0644);
  CHECK(exit_code(process::wait_for(process::spawn({(tmp.path / "script").string()}))) == 120);
}

TEST_CASE("the fd plan may swap descriptors") {
  // Two free descriptor numbers that dash can name in a redirection.
  int a = 8, b = 9;
  REQUIRE(::fcntl(a, F_GETFD) == -1);
  REQUIRE(::fcntl(b, F_GETFD) == -1);
  auto [ra, wa] = process::make_pipe();
  auto [rb, wb] = process::make_pipe();
  REQUIRE(::dup3(wa.get(), a, O_CLOEXEC) == a);
  REQUIRE(::dup3(wb.get(), b, O_CLOEXEC) == b);
  wa.reset();
  wb.reset();
  mta::io::Fd fa(a), fb(b);
  process::SpawnOptions opts;
  opts.fds = {{a, b}, {b, a}};  // the child's 8 is our 9 and the other way round
  pid_t pid = process::spawn({"/bin/sh", "-c", "echo to8 >&8; echo to9 >&9"}, opts);
  fa.reset();
  fb.reset();
  CHECK(exit_code(process::wait_for(pid)) == 0);
  mta::io::Reader from_a(ra.get()), from_b(rb.get());
  CHECK(from_a.read_all() == "to9\n");
  CHECK(from_b.read_all() == "to8\n");
}

TEST_CASE("descriptors outside the plan are not inherited") {
  auto [r0, w0] = process::make_pipe();
  // Numbers well away from those the shell itself uses.
  mta::io::Fd r(::fcntl(r0.get(), F_DUPFD_CLOEXEC, 40));
  mta::io::Fd w(::fcntl(w0.get(), F_DUPFD_CLOEXEC, 40));
  REQUIRE(r.valid());
  REQUIRE(w.valid());
  r0.reset();
  w0.reset();
  process::SpawnOptions opts;
  opts.fds = {{3, w.get()}};
  // The shell lists its open descriptors: 3 from the plan, but not the
  // pipe's own (close-on-exec) numbers.
  auto out = sh_output("echo fd3 >&3; cd /proc/$$/fd && echo *", opts);
  std::vector<std::string> fds;
  std::string word;
  for (char c : out) {
    if (c == ' ' || c == '\n') {
      if (!word.empty()) fds.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
  INFO("child fds: " << out);
  auto has = [&](int fd) { return std::find(fds.begin(), fds.end(), std::to_string(fd)) != fds.end(); };
  CHECK(has(0));
  CHECK(has(1));
  CHECK(has(3));
  CHECK_FALSE(has(r.get()));
  CHECK_FALSE(has(w.get()));
  w.reset();
  mta::io::Reader in(r.get());
  CHECK(in.read_all() == "fd3\n");
}

TEST_CASE("the child may chdir and change its environment; the parent's stays") {
  TempDir tmp;
  process::SpawnOptions opts;
  opts.chdir = tmp.path;
  CHECK(sh_output("pwd -P", opts) == tmp.path.string() + "\n");

  ::setenv("LETTERSHOP_TEST_DROP", "still here", 1);
  process::SpawnOptions env;
  env.setenv = {"LETTERSHOP_TEST_NEW=new value", "LETTERSHOP_TEST_EMPTY="};
  env.unsetenv = {"LETTERSHOP_TEST_DROP"};
  CHECK(sh_output("echo \"${LETTERSHOP_TEST_NEW}|${LETTERSHOP_TEST_EMPTY-unset}|${LETTERSHOP_TEST_DROP-unset}\"",
                  env) == "new value||unset\n");
  CHECK(std::getenv("LETTERSHOP_TEST_NEW") == nullptr);
  CHECK(std::string(std::getenv("LETTERSHOP_TEST_DROP")) == "still here");
  ::unsetenv("LETTERSHOP_TEST_DROP");
}

TEST_CASE("run_capture feeds stdin and returns stdout with the wait status") {
  auto [status, out] = process::run_capture({"/bin/cat"}, std::string("line 1\nbinary \0\xff", 16));
  CHECK(exit_code(status) == 0);
  CHECK(out == std::string("line 1\nbinary \0\xff", 16));

  auto [s2, o2] = process::run_capture({"/bin/sh", "-c", "read x; echo \"got $x\"; exit 5"}, "abc\n");
  CHECK(exit_code(s2) == 5);
  CHECK(o2 == "got abc\n");

  // A child that exits without reading a big input does not kill us.
  auto [s3, o3] = process::run_capture({"/bin/sh", "-c", "exit 0"}, std::string(1 << 20, 'x'));
  CHECK(exit_code(s3) == 0);
  CHECK(o3.empty());
}

TEST_CASE("a child killed by a signal is a temporary failure") {
  int status = process::wait_for(process::spawn({"/bin/sh", "-c", "kill -9 $$"}));
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  CHECK(mta::classify_child_exit(status) == mta::ChildResult::temporary);
  CHECK(mta::classify_child_exit(process::wait_for(process::spawn({"/bin/sh", "-c", "exit 99"}))) ==
        mta::ChildResult::stop);
}

TEST_CASE("make_pipe gives close-on-exec ends") {
  auto [r, w] = process::make_pipe();
  CHECK((::fcntl(r.get(), F_GETFD) & FD_CLOEXEC) != 0);
  CHECK((::fcntl(w.get(), F_GETFD) & FD_CLOEXEC) != 0);
  mta::io::write_all(w.get(), "x");
  w.reset();
  mta::io::Reader in(r.get());
  CHECK(in.read_all() == "x");
}
