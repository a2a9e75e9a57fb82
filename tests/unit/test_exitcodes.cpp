// Unit tests: mta/core/exitcodes — run_main's exit codes and messages,
// errno classification (qmail's error_temp) and the child-exit table.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "mta/core/exitcodes.h"

namespace {

const mta::ProgramInfo info{"qmail-test", "qmail-test [-x] arg", "tests the wrapper"};

struct Outcome {
  int code;
  std::string out, err;
};

// FdCapture - fd 1 or 2 sent to an unlinked temporary file for a while
// (run_main writes its texts straight to the descriptors, not via iostream).
class FdCapture {
 public:
  explicit FdCapture(int fd) : fd_(fd), saved_(::dup(fd)) {
    char name[] = "/tmp/lettershop-capture-XXXXXX";
    file_ = ::mkstemp(name);
    REQUIRE(file_ != -1);
    ::unlink(name);
    REQUIRE(saved_ != -1);
    REQUIRE(::dup2(file_, fd_) == fd_);
  }
  // Puts the descriptor back and returns what was written meanwhile.
  std::string finish() {
    ::dup2(saved_, fd_);
    std::string text;
    char buf[4096];
    ssize_t n;
    ::lseek(file_, 0, SEEK_SET);
    while ((n = ::read(file_, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
    return text;
  }
  ~FdCapture() {
    ::dup2(saved_, fd_);
    ::close(saved_);
    ::close(file_);
  }

 private:
  int fd_, saved_, file_ = -1;
};

// Runs run_main with argv and body, capturing fds 1 and 2.
Outcome run(std::vector<std::string> args, const std::function<int(int, char**)>& body) {
  args.insert(args.begin(), "qmail-test");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::cout.flush();  // Catch2's own output must not land in the capture
  FdCapture out(1), err(2);
  int code = mta::run_main(info, static_cast<int>(args.size()), argv.data(), body);
  std::string err_text = err.finish();
  return {code, out.finish(), err_text};
}

template <typename E>
std::function<int(int, char**)> thrower(E e) {
  return [e](int, char**) -> int { throw e; };
}

int exited(int code) { return code << 8; }  // a wait status for exit(code)

}  // namespace

TEST_CASE("run_main answers --help and --version without running the program") {
  bool ran = false;
  auto body = [&](int, char**) { ran = true; return 0; };
  auto help = run({"--help"}, body);
  CHECK(help.code == 0);
  CHECK(help.out == "usage: qmail-test [-x] arg\ntests the wrapper\n");
  CHECK(help.err.empty());
  auto version = run({"--version"}, body);
  CHECK(version.code == 0);
  CHECK(version.out == std::string("qmail-test (Lettershop) ") + LETTERSHOP_VERSION + "\n");
  CHECK_FALSE(ran);
  // Only as the sole argument.
  auto other = run({"--help", "x"}, body);
  CHECK(ran);
  CHECK(other.code == 0);
  CHECK(other.out.empty());
}

TEST_CASE("run_main turns every outcome into qmail's exit code and message") {
  struct Row {
    const char* what;
    std::function<int(int, char**)> body;
    int code;
    std::string err;
  };
  const Row rows[] = {
      {"success", [](int, char**) { return 0; }, 0, ""},
      {"the body's own code", [](int, char**) { return 99; }, 99, ""},
      {"PermError", thrower(mta::PermError("this message has no recipients")), 100,
       "qmail-test: fatal: this message has no recipients (#5.3.0)\n"},
      {"PermError with its DSN", thrower(mta::PermError("no such user", "5.1.1")), 100,
       "qmail-test: fatal: no such user (#5.1.1)\n"},
      {"TempError", thrower(mta::TempError("unable to open control/me")), 111,
       "qmail-test: fatal: unable to open control/me (#4.3.0)\n"},
      {"TempError with its DSN", thrower(mta::TempError("home directory is writable", "4.7.0")), 111,
       "qmail-test: fatal: home directory is writable (#4.7.0)\n"},
      {"TempError without DSN", thrower(mta::TempError("plain", "")), 111, "qmail-test: fatal: plain\n"},
      {"UsageError", thrower(mta::UsageError("unknown option -x")), 100, "qmail-test: usage: unknown option -x\n"},
      {"UsageError without text", thrower(mta::UsageError("")), 100, "qmail-test: usage: qmail-test [-x] arg\n"},
      {"ExitError", thrower(mta::ExitError(54)), 54, ""},
      {"ExitError with text", thrower(mta::ExitError(91, "envelope format error")), 91,
       "qmail-test: fatal: envelope format error\n"},
      {"bad_alloc", thrower(std::bad_alloc()), 111, "qmail-test: fatal: out of memory (#4.3.0)\n"},
      {"another exception", thrower(std::runtime_error("surprise")), 111,
       "qmail-test: fatal: surprise (#4.3.0)\n"},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    auto o = run({"arg"}, row.body);
    CHECK(o.code == row.code);
    CHECK(o.err == row.err);
    CHECK(o.out.empty());
  }
}

TEST_CASE("run_main passes argc and argv through to the body") {
  std::vector<std::string> seen;
  auto o = run({"-x", "operand"}, [&](int argc, char** argv) {
    for (int i = 0; i < argc; ++i) seen.emplace_back(argv[i]);
    return 0;
  });
  CHECK(o.code == 0);
  CHECK(seen == std::vector<std::string>{"qmail-test", "-x", "operand"});
}

TEST_CASE("errors carry their class, exit code and DSN") {
  mta::TempError t("x");
  CHECK(t.exit_code() == 111);
  CHECK(t.dsn() == "4.3.0");
  CHECK_FALSE(t.permanent());
  mta::PermError p("y");
  CHECK(p.exit_code() == 100);
  CHECK(p.dsn() == "5.3.0");
  CHECK(p.permanent());
  CHECK(mta::UsageError("z").exit_code() == 100);
  CHECK(mta::UsageError("z").dsn().empty());
  CHECK(mta::ExitError(82).exit_code() == 82);
}

TEST_CASE("throw_errno throws TempError with strerror text") {
  try {
    mta::throw_errno("unable to open control/me", ENOENT);
    FAIL("no exception");
  } catch (const mta::TempError& e) {
    CHECK(std::string(e.what()) == "unable to open control/me: No such file or directory");
    CHECK(e.dsn() == "4.3.0");
  }
  errno = EACCES;
  CHECK_THROWS_WITH(mta::throw_errno("x"), "x: Permission denied");
}

TEST_CASE("errno_is_temporary has qmail's error_temp list") {
  // Every errno that qmail's error_temp.c treats as temporary (Linux has them all).
  const int temporary[] = {EINTR,     ENOMEM,     ETXTBSY,      EIO,       ETIMEDOUT,    EWOULDBLOCK, EAGAIN,
                           EDEADLK,   EBUSY,      ENFILE,       EMFILE,    EFBIG,        ENOSPC,      ENETDOWN,
                           ENETUNREACH, ENETRESET, ECONNABORTED, ECONNRESET, ENOBUFS,     ETOOMANYREFS,
                           ECONNREFUSED, EHOSTDOWN, EHOSTUNREACH, EUSERS,   EDQUOT,       ESTALE,      ENOLCK};
  const int permanent[] = {0, ENOENT, EACCES, EPERM, EINVAL, ENOTDIR, EISDIR, EEXIST, ELOOP, ENAMETOOLONG, EROFS,
                           EBADF};
  for (int e : temporary) {
    INFO("errno " << e);
    CHECK(mta::errno_is_temporary(e));
  }
  for (int e : permanent) {
    INFO("errno " << e);
    CHECK_FALSE(mta::errno_is_temporary(e));
  }
}

TEST_CASE("a child's exit status is classified like qmail-local does") {
  using R = mta::ChildResult;
  struct Row {
    int status;
    R want;
  };
  const Row rows[] = {
      {exited(0), R::ok},          {exited(99), R::stop},       {exited(100), R::permanent},
      {exited(64), R::permanent},  {exited(65), R::permanent},  {exited(70), R::permanent},
      {exited(76), R::permanent},  {exited(77), R::permanent},  {exited(78), R::permanent},
      {exited(112), R::permanent}, {exited(111), R::temporary}, {exited(1), R::temporary},
      {exited(66), R::temporary},  {exited(75), R::temporary},  {exited(101), R::temporary},
      {exited(120), R::temporary}, {exited(255), R::temporary},
      {9, R::temporary},     // killed by SIGKILL
      {11 | 0x80, R::temporary},  // SIGSEGV with a core dump
      {15, R::temporary},    // SIGTERM
  };
  for (const auto& row : rows) {
    INFO("wait status " << row.status);
    CHECK(mta::classify_child_exit(row.status) == row.want);
  }
}

TEST_CASE("cat joins string-like pieces") {
  std::string s = "b";
  CHECK(mta::cat("a", s, std::string_view("c")) == "abc");
  CHECK(mta::cat() == "");
}
