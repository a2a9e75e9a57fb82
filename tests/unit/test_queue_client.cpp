// Unit tests: mta/core/queue_client — handing a message to a
// qmail-queue-compatible program, and the D/Z texts of qmail.c for every
// exit code (reference mta.md 3.2, 3.4). The queue programs are small
// shell scripts written into a temporary home.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "mta/core/envelope.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/queue_client.h"

using namespace std::string_literals;
namespace fs = std::filesystem;

namespace {

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::optional<std::string>& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value->c_str(), 1);
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

// A throw-away home with bin/ and a way to install queue scripts.
struct Home {
  fs::path root;
  Home() {
    std::string tmpl = (fs::temp_directory_path() / "lettershop-qc-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    root = fs::canonical(tmpl);
    fs::create_directory(root / "bin");
  }
  ~Home() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  fs::path script(const std::string& name, const std::string& body) const {
    fs::path p = root / "bin" / name;
    mta::io::replace_file(p, "#!/bin/sh\n" + body + "\n", 0755);
    return p;
  }
  std::string file(const std::string& name) const {
    auto s = mta::io::read_file(root / name);
    REQUIRE(s);
    return *s;
  }
};

// A script that saves the message, the envelope and its cwd, then exits 0.
const char* saving_script = "cat > message.out && cat <&1 > envelope.out && pwd -P > cwd.out";

mta::QueueResult queue(const Home& home, const std::string& message,
                       const mta::Envelope& env = {"from@example.test", {"to@example.test"}}) {
  mta::QueueClient qc(mta::Home{home.root});
  CHECK(qc.qp() > 0);
  qc.put(message);
  return qc.finish(env);
}

int exited(int code) { return code << 8; }

// Reference mta.md 3.2: exit code -> the text qmail.c's callers produce.
struct CodeRow {
  int code;
  const char* text;
};
const CodeRow code_table[] = {
    {11, "Denvelope address too long for qq (#5.1.3)"},
    {115, "Denvelope address too long for qq (#5.1.3)"},
    {31, "Dmail server permanently rejected message (#5.3.0)"},
    {12, "Dqq permanent problem (#5.3.0)"},
    {25, "Dqq permanent problem (#5.3.0)"},
    {40, "Dqq permanent problem (#5.3.0)"},
    {51, "Zqq out of memory (#4.3.0)"},
    {52, "Zqq timeout (#4.3.0)"},
    {53, "Zqq write error or disk full (#4.3.0)"},
    {54, "Zqq read error (#4.3.0)"},
    {55, "Zqq unable to read configuration (#4.3.0)"},
    {56, "Zqq trouble making network connection (#4.3.0)"},
    {61, "Zqq trouble in home directory (#4.3.0)"},
    {62, "Zqq trouble creating files in queue (#4.3.0)"},
    {63, "Zqq trouble creating files in queue (#4.3.0)"},
    {64, "Zqq trouble creating files in queue (#4.3.0)"},
    {65, "Zqq trouble creating files in queue (#4.3.0)"},
    {66, "Zqq trouble creating files in queue (#4.3.0)"},
    {71, "Zmail server temporarily rejected message (#4.3.0)"},
    {72, "Zconnection to mail server timed out (#4.4.1)"},
    {73, "Zconnection to mail server rejected (#4.4.1)"},
    {74, "Zcommunication with mail server failed (#4.4.2)"},
    {81, "Zqq internal bug (#4.3.0)"},
    {91, "Zqq internal bug (#4.3.0)"},
    {82, "Zqq temporary problem (#4.3.0)"},  // no text on fd 6
    {120, "Zunable to exec qq (#4.3.0)"},
    {1, "Zqq temporary problem (#4.3.0)"},
    {10, "Zqq temporary problem (#4.3.0)"},
    {41, "Zqq temporary problem (#4.3.0)"},
    {99, "Zqq temporary problem (#4.3.0)"},
    {100, "Zqq temporary problem (#4.3.0)"},
    {111, "Zqq temporary problem (#4.3.0)"},
};

}  // namespace

TEST_CASE("queue_status_text follows the qmail-queue exit-code table") {
  CHECK(mta::queue_status_text(exited(0)) == "");
  for (const auto& row : code_table) {
    INFO("exit " << row.code);
    CHECK(mta::queue_status_text(exited(row.code)) == row.text);
  }
  CHECK(mta::queue_status_text(9) == "Zqq crashed (#4.3.0)");         // SIGKILL
  CHECK(mta::queue_status_text(11 | 0x80) == "Zqq crashed (#4.3.0)");  // SIGSEGV, core
}

TEST_CASE("exit 82 uses the fd-6 text only when it starts with D or Z and is longer than 2") {
  struct Row {
    std::string custom, want;
  };
  const Row rows[] = {
      {"", "Zqq temporary problem (#4.3.0)"},
      {"D", "Zqq temporary problem (#4.3.0)"},
      {"Dx", "Zqq temporary problem (#4.3.0)"},
      {"Xno such prefix", "Zqq temporary problem (#4.3.0)"},
      {"dlower case", "Zqq temporary problem (#4.3.0)"},
      {"Dxy", "Dxy"},
      {"Dcustom rejection", "Dcustom rejection"},
      {"Zgreylisted, try later (#4.7.1)", "Zgreylisted, try later (#4.7.1)"},
  };
  for (const auto& row : rows) {
    INFO("fd 6: \"" << row.custom << "\"");
    CHECK(mta::queue_status_text(exited(82), row.custom) == row.want);
  }
  // Only exit 82 looks at fd 6.
  CHECK(mta::queue_status_text(exited(31), "Dother") == "Dmail server permanently rejected message (#5.3.0)");
  CHECK(mta::queue_status_text(exited(0), "Dother") == "");
}

TEST_CASE("QueueResult says queued, permanent or temporary") {
  mta::QueueResult ok;
  CHECK(ok.ok());
  CHECK_FALSE(ok.permanent());
  CHECK(ok.reason() == "");
  mta::QueueResult d{exited(31), "Dmail server permanently rejected message (#5.3.0)"};
  CHECK_FALSE(d.ok());
  CHECK(d.permanent());
  CHECK(d.reason() == "mail server permanently rejected message (#5.3.0)");
  mta::QueueResult z{exited(53), "Zqq write error or disk full (#4.3.0)"};
  CHECK_FALSE(z.permanent());
  CHECK(z.reason() == "qq write error or disk full (#4.3.0)");
}

TEST_CASE("the queue program gets the message on fd 0 and the envelope on fd 1, byte for byte") {
  Home home;
  ScopedEnv qq("QMAILQUEUE", home.script("saveqq", saving_script).string());
  const std::string message = "Subject: test\n\nbody with \0 NUL and \xff 8-bit\n"s + std::string(200000, 'x');
  const mta::Envelope env{"bill@irs.gov", {"joe@heaven.af.mil", "", "fred@x.org"}};
  auto r = queue(home, message, env);
  CHECK(r.ok());
  CHECK(r.text == "");
  CHECK(WIFEXITED(r.wait_status));
  CHECK(WEXITSTATUS(r.wait_status) == 0);
  CHECK(home.file("message.out") == message);
  CHECK(home.file("envelope.out") == "Fbill@irs.gov\0Tjoe@heaven.af.mil\0T\0Tfred@x.org\0\0"s);
  CHECK(home.file("cwd.out") == home.root.string() + "\n");
}

TEST_CASE("an empty message and an envelope without recipients are passed on as they are") {
  Home home;
  ScopedEnv qq("QMAILQUEUE", home.script("saveqq", saving_script).string());
  auto r = queue(home, "", {"", {}});
  CHECK(r.ok());
  CHECK(home.file("message.out") == "");
  CHECK(home.file("envelope.out") == "F\0\0"s);
}

TEST_CASE("each exit code of the queue program becomes qmail's D/Z text") {
  Home home;
  ScopedEnv qq("QMAILQUEUE", home.script("exitqq", "exit $LETTERSHOP_QQ_EXIT").string());
  for (const auto& row : code_table) {
    INFO("exit " << row.code);
    ScopedEnv code("LETTERSHOP_QQ_EXIT", std::to_string(row.code));
    auto r = queue(home, "short message\n");
    CHECK(r.text == row.text);
    CHECK(r.permanent() == (row.text[0] == 'D'));
  }
}

TEST_CASE("a queue program killed by a signal is 'qq crashed'") {
  Home home;
  ScopedEnv qq("QMAILQUEUE", home.script("killqq", "kill -9 $$").string());
  auto r = queue(home, "x\n");
  CHECK(r.text == "Zqq crashed (#4.3.0)");
}

TEST_CASE("exit 82 passes the queue program's own fd-6 text on") {
  Home home;
  struct Row {
    std::string script, want;
  };
  const Row rows[] = {
      {"printf 'Dcustom rejection' >&6; exit 82", "Dcustom rejection"},
      {"printf 'Zgreylisted (#4.7.1)' >&6; exit 82", "Zgreylisted (#4.7.1)"},
      {"printf 'D' >&6; exit 82", "Zqq temporary problem (#4.3.0)"},
      {"exit 82", "Zqq temporary problem (#4.3.0)"},
      {"printf 'Dignored' >&6; exit 31", "Dmail server permanently rejected message (#5.3.0)"},
      {"printf 'D%0299d' 0 >&6; exit 82", "D" + std::string(254, '0')},  // at most 255 bytes
  };
  int n = 0;
  for (const auto& row : rows) {
    INFO("script: " << row.script);
    ScopedEnv qq("QMAILQUEUE", home.script("fd6qq" + std::to_string(n++), "cat >/dev/null; " + row.script).string());
    auto r = queue(home, "m\n");
    CHECK(r.text == row.want);
  }
}

TEST_CASE("a queue program that exits without reading a large message is no SIGPIPE death") {
  Home home;
  const std::string big(4 << 20, 'm');
  SECTION("it refuses: its exit code decides") {
    ScopedEnv qq("QMAILQUEUE", home.script("refuse", "exit 31").string());
    auto r = queue(home, big);
    CHECK(r.text == "Dmail server permanently rejected message (#5.3.0)");
  }
  SECTION("it claims success without reading: our write error makes it a read error") {
    ScopedEnv qq("QMAILQUEUE", home.script("liar", "exit 0").string());
    auto r = queue(home, big);
    CHECK(WEXITSTATUS(r.wait_status) == 0);
    CHECK(r.text == "Zqq read error (#4.3.0)");
  }
}

TEST_CASE("a queue program that cannot be run gives 'unable to exec qq'") {
  Home home;
  SECTION("QMAILQUEUE names a missing file") {
    ScopedEnv qq("QMAILQUEUE", (home.root / "bin" / "nothing-here").string());
    CHECK(queue(home, "x\n").text == "Zunable to exec qq (#4.3.0)");
  }
  SECTION("no QMAILQUEUE and no bin/qmail-queue in the home") {
    ScopedEnv qq("QMAILQUEUE", std::nullopt);
    CHECK(queue(home, "x\n").text == "Zunable to exec qq (#4.3.0)");
  }
  SECTION("an empty QMAILQUEUE is the same as none") {
    ScopedEnv qq("QMAILQUEUE", "");
    CHECK(queue(home, "x\n").text == "Zunable to exec qq (#4.3.0)");
  }
}

TEST_CASE("a home that does not exist gives 'trouble in home directory', as qmail.c does") {
  Home home;
  ScopedEnv qq("QMAILQUEUE", std::nullopt);
  mta::Home missing{home.root / "no-such-home"};
  mta::QueueClient client(missing);
  client.put("x\n");
  CHECK(client.finish(mta::Envelope{"a@b", {"c@d"}}).text == "Zqq trouble in home directory (#4.3.0)");
}

TEST_CASE("the queue program runs in the home, so bin/qmail-queue and relative QMAILQUEUE work") {
  Home home;
  SECTION("default: bin/qmail-queue of the home") {
    home.script("qmail-queue", saving_script);
    ScopedEnv qq("QMAILQUEUE", std::nullopt);
    auto r = queue(home, "default\n");
    CHECK(r.ok());
    CHECK(home.file("message.out") == "default\n");
    CHECK(home.file("cwd.out") == home.root.string() + "\n");
  }
  SECTION("QMAILQUEUE relative to the home") {
    home.script("otherqq", saving_script);
    ScopedEnv qq("QMAILQUEUE", "bin/otherqq");
    auto r = queue(home, "relative\n");
    CHECK(r.ok());
    CHECK(home.file("message.out") == "relative\n");
  }
}

TEST_CASE("an abandoned QueueClient gives the program an empty envelope and waits for it") {
  Home home;
  ScopedEnv qq("QMAILQUEUE", home.script("saveqq", saving_script).string());
  {
    mta::QueueClient qc(mta::Home{home.root});
    qc.put("half a message");
    // destroyed without finish(), as when an exception unwinds
  }
  // The destructor waited for the program to finish (cwd.out is its last
  // step); it saw no envelope at all, so a real qmail-queue queues nothing.
  // Unflushed message bytes are dropped, never half-sent.
  CHECK(home.file("cwd.out") == home.root.string() + "\n");
  CHECK(home.file("envelope.out") == "");
  CHECK(home.file("message.out") == "");
}
