// Unit tests: mta/admin/qread — qmail-qread's parsing and line format, qmail-qstat's counts.
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "mta/admin/qread.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

using namespace std::string_literals;
namespace fs = std::filesystem;
namespace qr = mta::admin::qread;
using qr::BadQueueFile;
using qr::Channel;

namespace {

// A queue tree in a temporary directory, removed at the end of the test.
struct TempQueue {
  fs::path dir;
  mta::QueueLayout q;
  TempQueue() {
    std::string tmpl = (fs::temp_directory_path() / "qread-XXXXXX").string();
    dir = ::mkdtemp(tmpl.data());
    q.root = dir / "queue";
    for (const char* d : {"todo", "intd", "bounce", "pid", "lock"}) fs::create_directories(q.root / d);
    for (const char* d : {"mess", "info", "local", "remote"})
      for (unsigned i = 0; i < q.split; ++i) fs::create_directories(q.root / d / std::to_string(i));
  }
  ~TempQueue() { fs::remove_all(dir); }
  void put(const fs::path& p, const std::string& data, std::time_t mtime = 0) {
    mta::io::replace_file(p, data);
    if (mtime) {
      struct timeval tv[2] = {{mtime, 0}, {mtime, 0}};
      ::utimes(p.c_str(), tv);
    }
  }
};

}  // namespace

TEST_CASE("damaged queue files are reported, not misread") {
  struct Row { const char* what; std::string data; int kind; };  // 0 info, 1 recipients, 2 todo
  const Row rows[] = {
      {"empty info", "", 0},
      {"info without NUL", "Fa@b", 0},
      {"info with a T record", "Ta@b\0"s, 0},
      {"info with two records", "Fa@b\0Fc@d\0"s, 0},
      {"recipient without NUL", "Ta@b\0Tc"s, 1},
      {"recipient with bad letter", "Xa@b\0"s, 1},
      {"empty recipient record", "\0"s, 1},
      {"todo without sender", "u1\0p2\0Ta@b\0"s, 2},
      {"todo recipient before sender", "u1\0Ta@b\0Fc@d\0"s, 2},
      {"todo truncated", "u1\0p2\0Fa@b\0Tc@"s, 2},
      {"todo empty record", "u1\0\0Fa@b\0"s, 2},
      {"empty todo", "", 2},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    if (row.kind == 0) CHECK_THROWS_AS(qr::parse_info(row.data), BadQueueFile);
    if (row.kind == 1) CHECK_THROWS_AS(qr::parse_recipients(row.data, Channel::local), BadQueueFile);
    if (row.kind == 2) CHECK_THROWS_AS(qr::parse_todo(row.data), BadQueueFile);
  }
}

TEST_CASE("queue files are parsed as qmail-queue and qmail-send write them") {
  CHECK(qr::parse_info("Fbill@irs.gov\0"s) == "bill@irs.gov");
  CHECK(qr::parse_info("F\0"s).empty());
  auto r = qr::parse_recipients("Tjoe@heaven.af.mil\0Dfred@x.org\0"s, Channel::remote);
  REQUIRE(r.size() == 2);
  CHECK(r[0] == qr::Recipient{Channel::remote, false, "joe@heaven.af.mil"});
  CHECK(r[1] == qr::Recipient{Channel::remote, true, "fred@x.org"});
  CHECK(qr::parse_recipients("", Channel::local).empty());
  auto t = qr::parse_todo("u7770\0p12345\0Fbill@irs.gov\0Tjoe@heaven.af.mil\0Tfred@x.org\0"s);
  CHECK(t.sender == "bill@irs.gov");
  CHECK(t.recipients == std::vector<std::string>{"joe@heaven.af.mil", "fred@x.org"});
  // Unknown record kinds are skipped, as qmail-send skips them.
  CHECK(qr::parse_todo("Fa@b\0eextra\0Tc@d\0"s).recipients == std::vector<std::string>{"c@d"});
}

TEST_CASE("qmail-qread prints qmail's header and recipient lines") {
  qr::Message m;
  m.id = 457;
  m.birth = 812090814;  // 26 Sep 1995 04:46:54 UTC
  m.size = 1234;
  m.sender = "bill@irs.gov";
  m.recipients = {{Channel::local, false, "joe@heaven.af.mil"}, {Channel::remote, true, "fred@x.org"}};
  CHECK(qr::format(m) ==
        "26 Sep 1995 04:46:54 GMT  #457  1234  <bill@irs.gov> \n"
        "\tlocal\tjoe@heaven.af.mil\n"
        "  done\tremote\tfred@x.org\n");

  m.bouncing = true;
  m.sender.clear();
  m.recipients = {{Channel::todo, false, "a\x01\xff@b c"}};
  CHECK(qr::format(m) ==
        "26 Sep 1995 04:46:54 GMT  #457  1234  <>  bouncing\n"
        "\ttodo\ta__@b c\n");
}

TEST_CASE("qmail-qread lists todo and preprocessed messages sorted by number") {
  TempQueue t;
  auto& q = t.q;
  // #30: preprocessed, one local done, one remote, bouncing.
  t.put(q.mess(30), "0123456789");
  t.put(q.info(30), "Fs@x\0"s, 86400);
  t.put(q.local(30), "Dl@x\0"s);
  t.put(q.remote(30), "Tr@y\0"s);
  t.put(q.bounce(30), "text");
  // #7: still in todo (and a half-written info, which todo overrides).
  t.put(q.mess(7), "abc");
  t.put(q.todo(7), "u1\0p2\0Fsender@x\0Ta@x\0Tb@y\0"s, 0);
  t.put(q.info(7), "Fsender@x\0"s);
  // #99: damaged info; #100: mess file missing.
  t.put(q.mess(99), "z");
  t.put(q.info(99), "garbage");
  t.put(q.info(100), "Fq@x\0"s);

  CHECK(qr::message_ids(q) == std::vector<std::uint64_t>{7, 30, 99, 100});
  std::string out;
  {
    mta::io::Writer w(out);
    std::vector<std::string> warnings;
    qr::list(q, w, warnings);
    w.flush();
    REQUIRE(warnings.size() == 2);
    CHECK(warnings[0].rfind("trouble with #99: ", 0) == 0);
    CHECK(warnings[1] == "trouble with #100: mess/8/100 is missing");
  }
  struct stat st;
  REQUIRE(::stat(q.todo(7).c_str(), &st) == 0);
  qr::Message m7;
  REQUIRE(qr::read_message(q, 7, m7));
  CHECK(m7.birth == st.st_mtime);
  CHECK(out == qr::format(m7) +
                   "2 Jan 1970 00:00:00 GMT  #30  10  <s@x>  bouncing\n"
                   "  done\tlocal\tl@x\n"
                   "\tremote\tr@y\n");
  CHECK(qr::format(m7).find("  #7  3  <sender@x> \n\ttodo\ta@x\n\ttodo\tb@y\n") != std::string::npos);

  qr::Message gone;
  CHECK_FALSE(qr::read_message(q, 12345, gone));
}

TEST_CASE("qmail-qstat counts mess/ and todo/") {
  TempQueue t;
  auto& q = t.q;
  CHECK(qr::format(qr::count(q)) == "messages in queue: 0\nmessages in queue but not yet preprocessed: 0\n");
  t.put(q.mess(1), "a");
  t.put(q.mess(24), "b");
  t.put(q.mess(5), "c");
  t.put(q.todo(5), "Fa\0"s);
  auto c = qr::count(q);
  CHECK(c.messages == 3);
  CHECK(c.unprocessed == 1);
  fs::remove_all(q.root / "todo");
  CHECK_THROWS_AS(qr::count(q), mta::TempError);
}
