// Unit tests: mta/core/io — descriptors, the unbounded line Reader, the
// sticky-error Writer, atomic replace_file, absent-vs-unreadable opens, flock.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

using namespace std::string_literals;
namespace fs = std::filesystem;
namespace io = mta::io;

namespace {

// A fresh directory under $TMPDIR, removed with everything in it.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "lettershop-io-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// Reads every line with getline; each entry is {kind, text}.
struct Line {
  io::Reader::Got got;
  std::string text;
  bool operator==(const Line&) const = default;
};
std::vector<Line> all_lines(io::Reader& r, char sep) {
  std::vector<Line> out;
  std::string s;
  for (;;) {
    auto got = r.getline(s, sep);
    if (got == io::Reader::Got::nothing) return out;
    out.push_back({got, s});
    REQUIRE(out.size() < 10000);
  }
}

std::string slurp(const fs::path& p) {
  auto s = io::read_file(p);
  REQUIRE(s);
  return *s;
}

// The write end of a pipe whose read end is already closed (SIGPIPE ignored).
std::pair<io::Fd, io::Fd> pipe_pair() {
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  return {io::Fd(fds[0]), io::Fd(fds[1])};
}

}  // namespace

TEST_CASE("getline splits at the separator and reports a last line without one as partial") {
  using Got = io::Reader::Got;
  struct Row {
    std::string input;
    char sep;
    std::vector<Line> want;
  };
  const Row rows[] = {
      {"", '\n', {}},
      {"\n", '\n', {{Got::line, ""}}},
      {"abc", '\n', {{Got::partial, "abc"}}},
      {"a\nb\n", '\n', {{Got::line, "a"}, {Got::line, "b"}}},
      {"a\n\nb", '\n', {{Got::line, "a"}, {Got::line, ""}, {Got::partial, "b"}}},
      {"a\r\n", '\n', {{Got::line, "a\r"}}},  // CR is data, not a separator
      {"F\0Tx@y\0\0"s, '\0', {{Got::line, "F"}, {Got::line, "Tx@y"}, {Got::line, ""}}},
      {"a\nb\0c"s, '\0', {{Got::line, "a\nb"}, {Got::partial, "c"}}},
      {"8bit \xff\x80\n"s, '\n', {{Got::line, "8bit \xff\x80"}}},
  };
  for (const auto& row : rows) {
    INFO("input: " << row.input << " (" << row.input.size() << " bytes), separator " << int(row.sep));
    auto whole = io::Reader::from_string(row.input);
    CHECK(all_lines(whole, row.sep) == row.want);
    auto trickled = io::Reader::from_string(row.input, true);
    CHECK(all_lines(trickled, row.sep) == row.want);
  }
}

TEST_CASE("getline has no length limit unless the caller passes one") {
  const std::string big(1 << 20, 'x');
  for (bool trickle : {false, true}) {
    INFO("trickle " << trickle);
    // Trickling a megabyte one byte per read is slow-ish; a quarter is enough there.
    const std::string line = trickle ? big.substr(0, 1 << 18) : big;
    auto r = io::Reader::from_string(line + "\nnext\n", trickle);
    std::string s;
    REQUIRE(r.getline(s) == io::Reader::Got::line);
    CHECK(s.size() == line.size());
    CHECK(s == line);
    REQUIRE(r.getline(s) == io::Reader::Got::line);
    CHECK(s == "next");
  }
}

TEST_CASE("getline with a limit accepts exactly limit bytes and throws LineTooLong beyond") {
  for (bool trickle : {false, true}) {
    INFO("trickle " << trickle);
    std::string s;
    auto ok = io::Reader::from_string(std::string(10, 'a') + "\n", trickle);
    CHECK(ok.getline(s, '\n', 10) == io::Reader::Got::line);
    CHECK(s == std::string(10, 'a'));

    auto too_long = io::Reader::from_string(std::string(11, 'a') + "\n", trickle);
    CHECK_THROWS_AS(too_long.getline(s, '\n', 10), io::LineTooLong);

    // An unterminated line is refused as soon as it passes the limit.
    auto partial = io::Reader::from_string(std::string(20000, 'a'), trickle);
    CHECK_THROWS_AS(partial.getline(s, '\n', 100), io::LineTooLong);

    auto partial_ok = io::Reader::from_string("abc", trickle);
    CHECK(partial_ok.getline(s, '\n', 3) == io::Reader::Got::partial);
    CHECK(s == "abc");
  }
}

TEST_CASE("read, get, getline and read_all can be mixed on one Reader without losing bytes") {
  const std::string input = "Hline one\nline two\n\0tail bytes"s;
  for (bool trickle : {false, true}) {
    INFO("trickle " << trickle);
    auto r = io::Reader::from_string(input, trickle);
    auto c = r.get();
    REQUIRE(c);
    CHECK(*c == 'H');
    std::string s;
    REQUIRE(r.getline(s) == io::Reader::Got::line);
    CHECK(s == "line one");
    char buf[4];
    std::size_t n = r.read(buf, sizeof buf);
    // read returns what is buffered (trickled: 1 byte), never more than asked.
    REQUIRE(n >= 1);
    REQUIRE(n <= 4);
    std::string got(buf, n);
    while (got.size() < 4) {
      n = r.read(buf, 4 - got.size());
      REQUIRE(n > 0);
      got.append(buf, n);
    }
    CHECK(got == "line");
    REQUIRE(r.getline(s) == io::Reader::Got::line);
    CHECK(s == " two");
    CHECK(r.get() == '\0');
    CHECK(r.read_all() == "tail bytes");
    CHECK(r.read_all() == "");
    CHECK(r.get() == std::nullopt);
    CHECK(r.read(buf, sizeof buf) == 0);
    CHECK(r.getline(s) == io::Reader::Got::nothing);
    CHECK(s.empty());
  }
}

TEST_CASE("a large read bypasses the buffer but still returns buffered bytes first") {
  std::string input(100000, 'z');
  input[0] = 'a';
  input[1] = '\n';
  auto r = io::Reader::from_string(input);
  std::string s;
  REQUIRE(r.getline(s) == io::Reader::Got::line);
  CHECK(s == "a");
  std::string rest;
  std::vector<char> buf(65536);
  while (std::size_t n = r.read(buf.data(), buf.size())) rest.append(buf.data(), n);
  CHECK(rest == input.substr(2));
}

TEST_CASE("a Reader on a descriptor reads a file to the end") {
  TempDir tmp;
  fs::path p = tmp.path / "f";
  io::replace_file(p, "one\ntwo");
  io::Fd fd = io::open_or_throw(p, O_RDONLY);
  io::Reader r(fd.get());
  std::string s;
  CHECK(r.getline(s) == io::Reader::Got::line);
  CHECK(s == "one");
  CHECK(r.getline(s) == io::Reader::Got::partial);
  CHECK(s == "two");
  CHECK(r.getline(s) == io::Reader::Got::nothing);
}

TEST_CASE("a Writer into a string appends everything and counts bytes") {
  std::string sink = "old:";
  io::Writer w(sink);
  w << "abc" << std::string_view("\0d", 2);
  w.put('\n');
  w.flush();
  CHECK(sink == "old:abc\0d\n"s);
  CHECK(w.bytes_written() == 6);
  CHECK_FALSE(w.failed());
}

TEST_CASE("a Writer on a descriptor buffers until flush, and large writes go straight through") {
  TempDir tmp;
  fs::path p = tmp.path / "out";
  io::Fd fd = io::open_or_throw(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  io::Writer w(fd.get(), 16);
  w.write("0123456789");
  CHECK(slurp(p).empty());  // still buffered
  w.write("abcdefghij");    // overflows the buffer: the first part is written out
  CHECK(slurp(p) == "0123456789");
  const std::string big(100, 'B');
  w.write(big);  // larger than the buffer: written directly, after what was buffered
  CHECK(slurp(p) == "0123456789abcdefghij" + big);
  w.write("end");
  w.flush();
  CHECK(slurp(p) == "0123456789abcdefghij" + big + "end");
  CHECK(w.bytes_written() == 123);
}

TEST_CASE("a Writer keeps the first error: write() never throws, flush() throws TempError") {
  SECTION("/dev/full") {
    io::Fd fd = io::open_or_throw("/dev/full", O_WRONLY);
    io::Writer w(fd.get(), 8);
    CHECK_NOTHROW(w.write("more than eight bytes"));
    CHECK(w.failed());
    CHECK_NOTHROW(w.write("and more"));
    CHECK(w.bytes_written() == 29);
    try {
      w.flush();
      FAIL("flush did not throw");
    } catch (const mta::TempError& e) {
      CHECK(std::string(e.what()).find("unable to write") == 0);
      CHECK(e.dsn() == "4.3.0");
    }
    // Sticky: it stays failed.
    CHECK_THROWS_AS(w.flush(), mta::TempError);
  }
  SECTION("a pipe whose reader has gone") {
    ::signal(SIGPIPE, SIG_IGN);
    auto [r, wfd] = pipe_pair();
    r.reset();
    io::Writer w(wfd.get());
    CHECK_NOTHROW(w.write("hello"));
    CHECK_FALSE(w.failed());  // only buffered so far
    CHECK_THROWS_AS(w.flush(), mta::TempError);
    CHECK(w.failed());
  }
}

TEST_CASE("write_all writes everything through a pipe, across short writes") {
  auto [r, w] = pipe_pair();
  // More than a pipe buffer holds: the reader drains it from a child.
  std::string data(300000, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  pid_t pid = ::fork();
  REQUIRE(pid != -1);
  if (pid == 0) {
    r.reset();
    try {
      io::write_all(w.get(), data);
    } catch (...) {
      ::_exit(1);
    }
    ::_exit(0);
  }
  w.reset();
  io::Reader in(r.get());
  CHECK(in.read_all() == data);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("write_all to a closed pipe throws TempError instead of dying of SIGPIPE") {
  ::signal(SIGPIPE, SIG_IGN);
  auto [r, w] = pipe_pair();
  r.reset();
  CHECK_THROWS_AS(io::write_all(w.get(), "x"), mta::TempError);
}

TEST_CASE("replace_file replaces the content atomically with the mode asked for") {
  TempDir tmp;
  fs::path p = tmp.path / "control-file";
  mode_t old_umask = ::umask(022);
  io::replace_file(p, "first\n", 0640);
  CHECK(slurp(p) == "first\n");
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640);

  io::replace_file(p, "second", 0600);
  CHECK(slurp(p) == "second");
  REQUIRE(::stat(p.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  CHECK_FALSE(fs::exists(tmp.path / "control-file.tmp"));
  ::umask(old_umask);
}

TEST_CASE("replace_file ignores the mode of a stale .tmp left by a crash") {
  TempDir tmp;
  fs::path p = tmp.path / "f";
  mode_t old_umask = ::umask(022);
  {
    io::Fd stale = io::open_or_throw(tmp.path / "f.tmp", O_WRONLY | O_CREAT, 0600);
    io::write_all(stale.get(), "half-written junk that is longer");
  }
  io::replace_file(p, "new", 0644);
  CHECK(slurp(p) == "new");
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0644);
  ::umask(old_umask);
}

TEST_CASE("replace_file that fails keeps the old content and leaves no .tmp behind") {
  TempDir tmp;
  SECTION("the target is a directory: rename fails") {
    fs::path p = tmp.path / "d";
    fs::create_directory(p);
    fs::create_directory(p / "keep");
    CHECK_THROWS_AS(io::replace_file(p, "x"), mta::TempError);
    CHECK(fs::is_directory(p / "keep"));
    CHECK_FALSE(fs::exists(tmp.path / "d.tmp"));
  }
  SECTION("the directory does not exist: nothing is created") {
    fs::path p = tmp.path / "missing" / "f";
    CHECK_THROWS_AS(io::replace_file(p, "x"), mta::TempError);
    CHECK_FALSE(fs::exists(tmp.path / "missing"));
  }
}

TEST_CASE("open_if_exists tells an absent file from one that cannot be opened") {
  TempDir tmp;
  io::replace_file(tmp.path / "plain", "data");
  SECTION("absent: an invalid Fd") {
    io::Fd fd = io::open_if_exists(tmp.path / "nope", O_RDONLY);
    CHECK_FALSE(fd.valid());
    CHECK_FALSE(io::read_file(tmp.path / "nope").has_value());
  }
  SECTION("present: a valid Fd") {
    io::Fd fd = io::open_if_exists(tmp.path / "plain", O_RDONLY);
    CHECK(fd.valid());
    CHECK(io::read_file(tmp.path / "plain") == "data");
  }
  SECTION("a path under a regular file (ENOTDIR) is unreadable, not absent") {
    CHECK_THROWS_AS(io::open_if_exists(tmp.path / "plain" / "x", O_RDONLY), mta::TempError);
    CHECK_THROWS_AS(io::read_file(tmp.path / "plain" / "x"), mta::TempError);
  }
  SECTION("a directory opens but cannot be read as a file") {
    CHECK_THROWS_AS(io::read_file(tmp.path), mta::TempError);
  }
  SECTION("open_or_throw names the path") {
    try {
      io::open_or_throw(tmp.path / "nope", O_RDONLY);
      FAIL("no exception");
    } catch (const mta::TempError& e) {
      CHECK(std::string(e.what()) ==
            "unable to open " + (tmp.path / "nope").string() + ": No such file or directory");
    }
  }
}

TEST_CASE("Fd closes its descriptor once and hands it over on move") {
  int raw = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  REQUIRE(raw >= 0);
  {
    io::Fd a(raw);
    io::Fd b(std::move(a));
    CHECK_FALSE(a.valid());
    CHECK(b.get() == raw);
    io::Fd c;
    c = std::move(b);
    CHECK(c.get() == raw);
    CHECK(::fcntl(raw, F_GETFD) != -1);
  }
  CHECK(::fcntl(raw, F_GETFD) == -1);
  CHECK(errno == EBADF);
  io::Fd d(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  int n = d.get();
  CHECK(d.release() == n);
  CHECK_FALSE(d.valid());
  ::close(n);
}

TEST_CASE("a nonblocking FileLock on a locked file returns nullopt until the holder lets go") {
  TempDir tmp;
  fs::path p = tmp.path / "lock";
  io::Fd a = io::open_or_throw(p, O_RDWR | O_CREAT, 0600);
  io::Fd b = io::open_or_throw(p, O_RDWR);  // another open file description
  {
    auto held = io::FileLock::exclusive(a.get(), true);
    REQUIRE(held.has_value());
    CHECK_FALSE(io::FileLock::exclusive(b.get(), true).has_value());
    auto moved = std::move(*held);  // moving keeps the lock held
    held.reset();
    CHECK_FALSE(io::FileLock::exclusive(b.get(), true).has_value());
  }
  auto second = io::FileLock::exclusive(b.get(), true);
  CHECK(second.has_value());
}
