// Unit tests: mta/queue/enqueue — qmail-queue's logic, on a scratch queue.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "mta/core/fdpass.h"
#include "mta/queue/enqueue.h"
#include "socketpair.h"

using namespace std::string_literals;
namespace fs = std::filesystem;
using mta::queue::Failure;

namespace {

// 26 Sep 1995 04:46:54 UTC, the date of qmail's own examples.
constexpr std::time_t example_time = 812090814;

mta::queue::Identity identity(uid_t uid, mta::queue::Accounts accounts = {}) {
  mta::queue::Identity who;
  who.uid = uid;
  who.pid = 20345;
  who.started = example_time;
  who.accounts = accounts;
  return who;
}

// Copies an envelope through copy_envelope; the failure it throws, if any.
std::optional<Failure> copy(const std::string& in, std::string& out, bool trickle = false) {
  auto reader = mta::io::Reader::from_string(in, trickle);
  mta::io::Writer writer(out);
  try {
    mta::queue::copy_envelope(reader, writer);
    writer.flush();
  } catch (const mta::queue::Error& e) {
    return e.failure();
  }
  return std::nullopt;
}

// A scratch queue with the part of qmail's tree (reference 2.1) qmail-queue uses, removed afterwards.
struct ScratchQueue {
  fs::path root;
  mta::QueueLayout layout;
  ScratchQueue() {
    std::string tmpl = (fs::temp_directory_path() / "test_enqueue.XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    root = tmpl;
    layout.root = root;
    restore();
  }
  // (Re)creates the directories qmail-queue writes into; info/, local/,
  // remote/ and bounce/ are qmail-send's and not needed here.
  void restore() {
    for (const char* d : {"pid", "intd", "todo", "lock"}) fs::create_directory(root / d);
    for (unsigned i = 0; i < layout.split; ++i) fs::create_directories(root / "mess" / std::to_string(i));
  }
  ~ScratchQueue() { fs::remove_all(root); }
  // Every file below the queue, as paths relative to it.
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root))
      if (!e.is_directory()) out.push_back(fs::relative(e.path(), root).string());
    return out;
  }
  // A file holding `data`, open for reading, as enqueue's input.
  mta::io::Fd input(const std::string& name, const std::string& data) {
    fs::path p = root / name;
    {
      mta::io::Fd w(::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
      REQUIRE(w.valid());
      REQUIRE(::write(w.get(), data.data(), data.size()) == static_cast<ssize_t>(data.size()));
    }
    mta::io::Fd r(::open(p.c_str(), O_RDONLY));
    REQUIRE(r.valid());
    fs::remove(p);
    return r;
  }
};

std::string slurp(const fs::path& p) {
  auto data = mta::io::read_file(p);
  REQUIRE(data.has_value());
  return *data;
}

ino_t inode(const fs::path& p) {
  struct stat st;
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_ino;
}

}  // namespace

TEST_CASE("each failure exits with the code of qmail-queue(8)") {
  struct Row { Failure failure; int code; };
  const Row rows[] = {
      {Failure::address_too_long, 11}, {Failure::address_has_crlf, 14}, {Failure::out_of_memory, 51},
      {Failure::timeout, 52},          {Failure::write, 53},            {Failure::read, 54},
      {Failure::home, 61},             {Failure::queue_dir, 62},        {Failure::pid, 63},
      {Failure::mess, 64},             {Failure::intd, 65},             {Failure::todo, 66},
      {Failure::internal_bug, 81},     {Failure::envelope_format, 91},
  };
  for (const auto& row : rows) {
    INFO("failure " << static_cast<int>(row.failure));
    CHECK(mta::queue::exit_code(row.failure) == row.code);
  }
}

TEST_CASE("only the address failures are permanent (qmail.c treats 11-40 as permanent)") {
  for (int f = static_cast<int>(Failure::address_too_long); f <= static_cast<int>(Failure::envelope_format); ++f) {
    auto failure = static_cast<Failure>(f);
    int code = mta::queue::exit_code(failure);
    bool permanent = code >= 11 && code <= 40;
    INFO("failure " << f << " exits " << code);
    CHECK(permanent == (failure == Failure::address_too_long || failure == Failure::address_has_crlf));
    CHECK(code != 0);
    CHECK(code < 100);  // callers read 100 and 111 as something else
  }
}

TEST_CASE("the Received line names the caller as qmail-queue does") {
  const mta::queue::Accounts system{7790, 7791, 7792};  // alias, qmaild, qmails
  struct Row { uid_t uid; mta::queue::Accounts accounts; std::string line; };
  const Row rows[] = {
      {7790, system, "Received: (qmail 20345 invoked by alias); 26 Sep 1995 04:46:54 -0000\n"},
      {7791, system, "Received: (qmail 20345 invoked from network); 26 Sep 1995 04:46:54 -0000\n"},
      {7792, system, "Received: (qmail 20345 invoked for bounce); 26 Sep 1995 04:46:54 -0000\n"},
      {666, system, "Received: (qmail 20345 invoked by uid 666); 26 Sep 1995 04:46:54 -0000\n"},
      {0, system, "Received: (qmail 20345 invoked by uid 0); 26 Sep 1995 04:46:54 -0000\n"},
      // A sandbox has no accounts: even the uid qmaild would have is "by uid".
      {7791, {}, "Received: (qmail 20345 invoked by uid 7791); 26 Sep 1995 04:46:54 -0000\n"},
      // Only the accounts that exist are compared.
      {7792, {std::nullopt, std::nullopt, 7792}, "Received: (qmail 20345 invoked for bounce); 26 Sep 1995 04:46:54 -0000\n"},
  };
  for (const auto& row : rows) {
    INFO("uid " << row.uid);
    CHECK(mta::queue::received_line(identity(row.uid, row.accounts)) == row.line);
  }
}

TEST_CASE("the intd file starts with the caller's uid and our pid") {
  CHECK(mta::queue::envelope_head(identity(7770)) == "u7770\0p20345\0"s);
}

TEST_CASE("a malformed envelope is refused with the failure of its exit code") {
  struct Row { std::string input; Failure failure; };
  const Row rows[] = {
      {"", Failure::read},
      {"F", Failure::read},
      {"Fa@b", Failure::read},
      {"Fa@b\0"s, Failure::read},
      {"Fa@b\0Tc@d\0"s, Failure::read},
      {"Fa@b\0Tc@d"s, Failure::read},
      {"Xa@b\0\0"s, Failure::envelope_format},
      {"\0"s, Failure::envelope_format},
      {"Fa@b\0Xc@d\0\0"s, Failure::envelope_format},
      {"Fa@b\0F\0\0"s, Failure::envelope_format},
      {"F"s + std::string(1003, 'a') + "\0\0"s, Failure::address_too_long},
      {"F\0T"s + std::string(5000, 'x') + "\0\0"s, Failure::address_too_long},
      {"F"s + std::string(1003, 'a'), Failure::address_too_long},  // refused before EOF is seen
      {"Fa@b\r\0\0"s, Failure::address_has_crlf},
      {"Fa@b\0Tc\n@d\0\0"s, Failure::address_has_crlf},
      {"Fa@b\0T\nTo: x\0\0"s, Failure::address_has_crlf},
  };
  for (const auto& row : rows) {
    for (bool trickle : {false, true}) {
      INFO("input of " << row.input.size() << " bytes, trickle " << trickle);
      std::string out;
      auto failure = copy(row.input, out, trickle);
      REQUIRE(failure.has_value());
      CHECK(*failure == row.failure);
    }
  }
}

TEST_CASE("an envelope is stored without its final NUL") {
  const std::string addr1002(1002, 'a');
  const std::string rows[] = {
      "F\0\0"s,
      "Fbill@irs.gov\0\0"s,
      "Fbill@irs.gov\0Tjoe@heaven.af.mil\0Tfred@x.org\0\0"s,
      "F\0T#@[]\0\0"s,
      "F\xff\x01@b\0T8bit\x80@x\0\0"s,
      "F"s + addr1002 + "\0T"s + addr1002 + "\0\0"s,
  };
  for (const auto& input : rows) {
    for (bool trickle : {false, true}) {
      INFO("input of " << input.size() << " bytes, trickle " << trickle);
      std::string out;
      REQUIRE_FALSE(copy(input, out, trickle).has_value());
      CHECK(out == input.substr(0, input.size() - 1));
    }
  }
}

TEST_CASE("bytes after the envelope's final NUL are not read as records") {
  std::string out;
  REQUIRE_FALSE(copy("Fa@b\0Tc@d\0\0garbage"s, out).has_value());
  CHECK(out == "Fa@b\0Tc@d\0"s);
}

TEST_CASE("enqueue stores message and envelope in qmail's format and commits with todo") {
  ScratchQueue q;
  const auto who = identity(7770);
  const std::string message = "Subject: hi\n\nbody\n"s + std::string(300000, 'x') + "\nend\n";
  auto msg = q.input("m", message);
  auto env = q.input("e", "Fbill@irs.gov\0Tjoe@heaven.af.mil\0Tfred@x.org\0\0"s);
  // A listening qmail-send: the trigger must receive one byte.
  REQUIRE(::mkfifo(q.layout.trigger().c_str(), 0622) == 0);
  mta::io::Fd trigger(::open(q.layout.trigger().c_str(), O_RDONLY | O_NONBLOCK));
  REQUIRE(trigger.valid());

  const std::uint64_t id = mta::queue::enqueue(q.layout, msg.get(), env.get(), who);

  const fs::path mess = q.root / "mess" / std::to_string(id % 23) / std::to_string(id);
  CHECK(inode(mess) == id);
  CHECK(slurp(mess) == mta::queue::received_line(who) + message);
  CHECK(inode(q.layout.todo(id)) == inode(q.layout.intd(id)));
  CHECK(slurp(q.layout.todo(id)) == "u7770\0p20345\0Fbill@irs.gov\0Tjoe@heaven.af.mil\0Tfred@x.org\0"s);
  CHECK(fs::is_empty(q.layout.pid_dir()));
  char byte = 'x';
  CHECK(::read(trigger.get(), &byte, 1) == 1);
  CHECK(byte == '\0');
  auto files = q.files();
  CHECK(files.size() == 4);  // mess, intd, todo and the trigger fifo
}

TEST_CASE("enqueue accepts a one-byte message and an envelope without recipients") {
  ScratchQueue q;
  const auto who = identity(1000);
  auto msg = q.input("m", "\n");
  auto env = q.input("e", "F\0\0"s);
  const std::uint64_t id = mta::queue::enqueue(q.layout, msg.get(), env.get(), who);
  CHECK(slurp(q.layout.mess(id)) == mta::queue::received_line(who) + "\n");
  CHECK(slurp(q.layout.todo(id)) == "u1000\0p20345\0F\0"s);
}

TEST_CASE("enqueue refuses a 0-byte message as a read error and leaves nothing") {
  ScratchQueue q;
  auto msg = q.input("m", "");
  auto env = q.input("e", "Fa@b\0Tc@d\0\0"s);
  try {
    mta::queue::enqueue(q.layout, msg.get(), env.get(), identity(1000));
    FAIL("an empty message was queued");
  } catch (const mta::queue::Error& e) {
    CHECK(e.failure() == Failure::read);
  }
  CHECK(fs::is_empty(q.root / "todo"));
  CHECK(fs::is_empty(q.root / "intd"));
  CHECK(fs::is_empty(q.layout.pid_dir()));
}

TEST_CASE("a failed enqueue leaves nothing in the queue") {
  struct Row { const char* name; std::string envelope; const char* remove_dir; Failure failure; };
  const Row rows[] = {
      {"envelope without terminator", "Fa@b\0Tc@d\0"s, nullptr, Failure::read},
      {"empty envelope", "", nullptr, Failure::read},
      {"envelope not starting with F", "Ta@b\0\0"s, nullptr, Failure::envelope_format},
      {"recipient of 1003 bytes", "Fa@b\0T"s + std::string(1003, 'r') + "\0\0"s, nullptr,
       Failure::address_too_long},
      {"sender with a newline", "Fa\n@b\0\0"s, nullptr, Failure::address_has_crlf},
      {"no todo directory", "Fa@b\0\0"s, "todo", Failure::todo},
      {"no intd directory", "Fa@b\0\0"s, "intd", Failure::intd},
      {"no mess split directory", "Fa@b\0\0"s, "mess", Failure::mess},
      {"no pid directory", "Fa@b\0\0"s, "pid", Failure::pid},
  };
  ScratchQueue q;
  for (const auto& row : rows) {
    INFO(row.name);
    if (row.remove_dir) fs::remove_all(q.root / row.remove_dir);
    if (row.remove_dir && std::string(row.remove_dir) == "mess") fs::create_directory(q.root / "mess");
    auto msg = q.input("m", "Subject: x\n\nbody\n");
    auto env = q.input("e", row.envelope);
    try {
      mta::queue::enqueue(q.layout, msg.get(), env.get(), identity(1000));
      FAIL("enqueue succeeded");
    } catch (const mta::queue::Error& e) {
      CHECK(e.failure() == row.failure);
    }
    CHECK(q.files().empty());
    q.restore();
  }
}

TEST_CASE("a message that cannot be read is refused with a read failure") {
  ScratchQueue q;
  auto env = q.input("e", "Fa@b\0\0"s);
  mta::io::Fd unreadable(::open(q.root.c_str(), O_RDONLY | O_DIRECTORY));  // read(2) gives EISDIR
  try {
    mta::queue::enqueue(q.layout, unreadable.get(), env.get(), identity(1000));
    FAIL("enqueue succeeded");
  } catch (const mta::queue::Error& e) {
    CHECK(e.failure() == Failure::read);
  }
  CHECK(q.files().empty());
}

namespace {

// One request of qmail-queue --serve as the client sends it: the read ends
// of two pipes that already hold the whole message and envelope.
void submit(int socket, const std::string& message, const std::string& envelope, char tag = 'Q') {
  int m[2], e[2];
  REQUIRE(::pipe(m) == 0);
  REQUIRE(::pipe(e) == 0);
  REQUIRE(::write(m[1], message.data(), message.size()) == static_cast<ssize_t>(message.size()));
  REQUIRE(::write(e[1], envelope.data(), envelope.size()) == static_cast<ssize_t>(envelope.size()));
  ::close(m[1]);
  ::close(e[1]);
  const int fds[] = {m[0], e[0]};
  mta::fdpass::send(socket, tag, fds);
  ::close(m[0]);
  ::close(e[0]);
}

// The verdict bytes the server wrote, read after it returned.
std::string answers(int socket) {
  std::string out;
  char buf[64];
  for (ssize_t n; (n = ::read(socket, buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  return out;
}

// a: the client's end, b: qmail-queue --serve's.
using SocketPair = lettershop_test::SocketPair;

}  // namespace

TEST_CASE("serve queues one message per request and answers with the per-message exit code") {
  ScratchQueue q;
  SocketPair s;
  submit(s.a.get(), "Subject: one\n\nfirst\n", "Fa@b\0Tc@d\0\0"s);
  submit(s.a.get(), "Subject: two\n\nsecond\n", "Xa@b\0\0"s);  // malformed: 91
  submit(s.a.get(), "", "Fa@b\0Tc@d\0\0"s);                      // empty message: 54
  submit(s.a.get(), "Subject: three\n\nthird\n", "Fa@b\0Te@f\0\0"s);
  ::shutdown(s.a.get(), SHUT_WR);  // end of requests
  int armed = 0, cleared = 0;
  const int code = mta::queue::serve(q.layout, s.b.get(), identity(1000),
                                     [&](bool on) { (on ? armed : cleared)++; });
  CHECK(code == 0);
  s.b.reset();
  CHECK(answers(s.a.get()) == "+\0\x5b\x36\0"s);  // the greeting, then 0, 91, 54, 0
  CHECK(armed == 4);
  CHECK(cleared == 4);
  // The two good messages are queued, nothing is left of the bad ones.
  std::vector<std::string> todo;
  for (const auto& e : fs::directory_iterator(q.root / "todo")) todo.push_back(slurp(e.path()));
  std::sort(todo.begin(), todo.end());
  REQUIRE(todo.size() == 2);
  CHECK(todo[0] == "u1000\0p20345\0Fa@b\0Tc@d\0"s);
  CHECK(todo[1] == "u1000\0p20345\0Fa@b\0Te@f\0"s);
  CHECK(q.files().size() == 6);  // two each of mess, intd and todo
}

TEST_CASE("serve ends on a request it does not understand, closing what came with it") {
  struct Row { const char* name; char tag; std::size_t fds; };
  const Row rows[] = {{"wrong tag", 'X', 2}, {"one descriptor", 'Q', 1}, {"three descriptors", 'Q', 3}};
  for (const auto& row : rows) {
    INFO(row.name);
    ScratchQueue q;
    SocketPair s;
    int p[2];
    REQUIRE(::pipe(p) == 0);
    const std::vector<int> fds(row.fds, p[0]);
    mta::fdpass::send(s.a.get(), row.tag, fds);
    ::close(p[0]);
    const int code = mta::queue::serve(q.layout, s.b.get(), identity(1000), [](bool) {});
    CHECK(code == 81);
    s.b.reset();
    CHECK(answers(s.a.get()) == "+");  // the greeting, no verdict
    // Every descriptor the request carried is closed: the pipe has no reader left.
    ::signal(SIGPIPE, SIG_IGN);
    CHECK(::write(p[1], "x", 1) == -1);
    CHECK(errno == EPIPE);
    ::close(p[1]);
    CHECK(q.files().empty());
  }
}

TEST_CASE("serve returns 0 at once when the client closes without a request") {
  ScratchQueue q;
  SocketPair s;
  s.a.reset();
  CHECK(mta::queue::serve(q.layout, s.b.get(), identity(1000), [](bool) {}) == 0);
}
