// Unit tests: mta/core/mbox — mboxrd quoting, the appended record, the lock
// timeout and the truncation back to the old end after a read error.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/mbox.h"
#include "tests/unit/tmpdir.h"

using namespace std::string_literals;
namespace fs = std::filesystem;
namespace io = mta::io;

namespace {

using lettershop_test::TempDir;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class FailingSource : public io::Source {
 public:
  std::size_t read(char* buf, std::size_t n) override {
    if (done_) throw mta::TempError("unable to read: Input/output error");
    done_ = true;
    std::string_view part = "Subject: partial\n";
    std::size_t k = std::min(n, part.size());
    part.copy(buf, k);
    return k;
  }

 private:
  bool done_ = false;
};

}  // namespace

TEST_CASE("mboxrd quotes every >*From line", "[mbox]") {
  struct Row {
    std::string line;
    bool quote;
  } rows[] = {
      {"", false}, {">", false}, {">>>", false}, {"From", false}, {"From:", false}, {"from x", false},
      {" From x", false}, {"From ", true}, {"From joe", true}, {">From joe", true}, {">>>From x", true},
      {"\0From x"s, false},
  };
  for (const Row& r : rows) {
    INFO("line: " << r.line);
    CHECK(mta::mbox::needs_quote(r.line) == r.quote);
  }
}

TEST_CASE("copy_quoted quotes, ends a partial last line, whole and trickled", "[mbox]") {
  const std::string input = "From a\nx\n>From b\n\nlast";
  const std::string want = ">From a\nx\n>>From b\n\nlast\n";
  for (bool trickle : {false, true}) {
    INFO("trickle " << trickle);
    auto in = io::Reader::from_string(input, trickle);
    std::string out;
    io::Writer w(out);
    mta::mbox::copy_quoted(in, w);
    w.flush();
    CHECK(out == want);
  }
}

TEST_CASE("deliver appends prepend, quoted message and one blank line", "[mbox]") {
  TempDir t("mbox");
  const fs::path box = t.path / "Mailbox";
  auto m1 = io::Reader::from_string("Subject: 1\n\nFrom here\n");
  mta::mbox::deliver(box, m1, "From a@b Thu Jan 01 00:00:00 1970\nReturn-Path: <a@b>\n");
  auto m2 = io::Reader::from_string("Subject: 2\n\nno newline");
  mta::mbox::deliver(box, m2, "From c@d Thu Jan 01 00:00:00 1970\n");
  CHECK(slurp(box) ==
        "From a@b Thu Jan 01 00:00:00 1970\nReturn-Path: <a@b>\nSubject: 1\n\n>From here\n\n"
        "From c@d Thu Jan 01 00:00:00 1970\nSubject: 2\n\nno newline\n\n");
  CHECK((fs::status(box).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
}

TEST_CASE("a read error truncates the mbox back to its old end", "[mbox]") {
  TempDir t("mbox");
  const fs::path box = t.path / "Mailbox";
  std::ofstream(box) << "From old\nkept\n\n";
  io::Reader in(std::make_unique<FailingSource>());
  CHECK_THROWS_WITH(mta::mbox::deliver(box, in, "From x\n"),
                    "Unable to read message: unable to read: Input/output error.");
  CHECK(slurp(box) == "From old\nkept\n\n");
}

TEST_CASE("a held lock defers after the timeout", "[mbox]") {
  TempDir t("mbox");
  const fs::path box = t.path / "Mailbox";
  io::Fd holder(::open(box.c_str(), O_WRONLY | O_CREAT, 0600));
  REQUIRE(holder);
  REQUIRE(::flock(holder.get(), LOCK_EX) == 0);
  auto in = io::Reader::from_string("m\n");
  mta::mbox::Options quick;
  quick.lock_timeout = std::chrono::milliseconds(200);
  try {
    mta::mbox::deliver(box, in, "From x\n", quick);
    FAIL("delivered past a held lock");
  } catch (const mta::TempError& e) {
    CHECK(std::string(e.what()) == "File has been locked for 30 seconds straight.");
    CHECK(e.dsn() == "4.3.0");
  }
  CHECK(fs::file_size(box) == 0);
}

TEST_CASE("an mbox that cannot be opened defers with 4.2.1", "[mbox]") {
  TempDir t("mbox");
  auto in = io::Reader::from_string("m\n");
  try {
    mta::mbox::deliver(t.path / "no" / "Mailbox", in, "");
    FAIL("opened a missing folder");
  } catch (const mta::TempError& e) {
    CHECK(std::string(e.what()).starts_with("Unable to open "));
    CHECK(e.dsn() == "4.2.1");
  }
}
