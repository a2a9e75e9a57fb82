// Unit tests: mta/send/spawn — the spawn protocol's command parser and
// validation texts, output truncation, qmail-lspawn's report mapping and
// qmail-rspawn's report synthesis (with the reference's examples).
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <string>

#include "mta/send/spawn.h"

using namespace std::string_literals;
namespace spawn = mta::spawn;

namespace {
int exited(int code) { return (code & 0xff) << 8; }  // a wait status
int killed(int sig) { return sig & 0x7f; }
}  // namespace

TEST_CASE("spawn commands: split whatever the pipe gives, one byte at a time too") {
  std::string stream = "\x03" "20/457\0joe@x\0fred@y\0" "\x00" "1\0\0@h\0"s;
  for (bool trickle : {false, true}) {
    INFO("trickle " << trickle);
    spawn::CommandParser p;
    std::vector<spawn::Command> got;
    if (trickle)
      for (char c : stream) { p.feed(std::string_view(&c, 1)); while (auto c2 = p.next()) got.push_back(*c2); }
    else {
      p.feed(stream);
      while (auto c = p.next()) got.push_back(*c);
    }
    REQUIRE(got.size() == 2);
    CHECK(got[0].slot == 3);
    CHECK(got[0].message == "20/457");
    CHECK(got[0].sender == "joe@x");
    CHECK(got[0].recipient == "fred@y");
    CHECK(got[1].slot == 0);
    CHECK(got[1].sender.empty());
    CHECK(got[1].recipient == "@h");
  }
  spawn::CommandParser p;
  p.feed("\x01" "1\0a\0"s);
  CHECK_FALSE(p.next());  // incomplete
}

TEST_CASE("spawn commands: validation texts, malformed first") {
  std::vector<bool> in_use(120, false);
  in_use[5] = true;
  struct Row { unsigned char slot; std::string mess, rcpt, want; };
  const Row rows[] = {
      {120, "1/2", "a@b", "ZInternal error: delnum too big. (#4.3.5)\n"},
      {5, "1/2", "a@b", "ZInternal error: delnum in use. (#4.3.5)\n"},
      {1, "/2", "a@b", "DInternal error: messid has nonnumerics. (#5.3.5)\n"},
      {1, "1/x", "a@b", "DInternal error: messid has nonnumerics. (#5.3.5)\n"},
      {1, "../1", "a@b", "DInternal error: messid has nonnumerics. (#5.3.5)\n"},
      {1, std::string(101, '1'), "a@b", "DInternal error: messid too long. (#5.3.5)\n"},
      {1, "", "a@b", "DInternal error: messid too short. (#5.3.5)\n"},
      {1, "1/2", "nohost", "DSorry, address must include host name. (#5.1.3)\n"},
  };
  for (const auto& r : rows) {
    INFO("slot " << int(r.slot) << " mess " << r.mess << " rcpt " << r.rcpt);
    auto got = spawn::validate({r.slot, r.mess, "s@x", r.rcpt}, 120, in_use);
    REQUIRE(got);
    CHECK(*got == r.want);
  }
  CHECK_FALSE(spawn::validate({1, "20/457", "", "@h"}, 120, in_use));
  CHECK_FALSE(spawn::validate({119, std::string(100, '7'), "", "a@b"}, 120, in_use));
}

TEST_CASE("spawn output: at most 3000 bytes, with qmail's notice when cut") {
  spawn::Output small;
  small.append("did 1+0+0\n");
  CHECK(small.text() == "did 1+0+0\n");
  spawn::Output big;
  for (int i = 0; i < 100; ++i) big.append(std::string(100, 'x'));
  CHECK(big.text().size() == spawn::output_limit);
  CHECK(big.text().substr(big.text().size() - 31) == "\nError report too long, sorry.\n");
  spawn::Output exact;
  exact.append(std::string(3000, 'y'));
  CHECK(exact.text() == std::string(3000, 'y'));
}

TEST_CASE("lspawn reports: every exit code of the mapping table") {
  struct Row { int status; std::string out, want; };
  const Row rows[] = {
      {killed(9), "partial", "Zqmail-local crashed.\n"},
      {exited(0), "did 1+0+0\n", "Kdid 1+0+0\n"},
      {exited(0), "cut\0here"s, "Kcut"},
      {exited(111), "Unable to x. (#4.3.0)\n", "ZUnable to x. (#4.3.0)\n"},
      {exited(71), "t", "Zt"},
      {exited(74), "t", "Zt"},
      {exited(75), "t", "Zt"},
      {exited(100), "Sorry, no mailbox here by that name. (#5.1.1)\n", "DSorry, no mailbox here by that name. (#5.1.1)\n"},
      {exited(1), "p", "Dp"},
      {exited(99), "p", "Dp"},
      {exited(112), "x", "ZInternal qmail-lspawn bug.\n"},
      {exited(113), "x", "ZNot allowed to perform deliveries as root.\n"},
      {exited(115), "x", "ZNFS failure in qmail-local.\n"},
      {exited(116), "x", "ZUnable to find alias user!\n"},
      {exited(117), "x", "ZTrouble reading users/cdb in qmail-lspawn.\n"},
      {exited(118), "x", "ZTemporary failure in qmail-lspawn.\n"},
      {exited(119), "x", "ZOut of memory in qmail-lspawn.\n"},
      {exited(120), "x", "ZUnable to run qmail-local.\n"},
      {exited(121), "x", "ZUnable to run qmail-getpw.\n"},
      {exited(126), "x", "DUnable to run qmail-local.\n"},
  };
  for (const auto& r : rows) {
    INFO("status " << r.status << " output " << r.out);
    CHECK(spawn::lspawn_report(r.status, r.out) == r.want);
  }
}

TEST_CASE("rspawn reports: synthesis from qmail-remote's reports") {
  struct Row { int status; std::string out, want; };
  const Row rows[] = {
      {killed(11), "", "Zqmail-remote crashed.\n"},
      {exited(111), "", "ZUnable to run qmail-remote.\n"},
      {exited(100), "", "DUnable to run qmail-remote.\n"},
      {exited(0), "", "Zqmail-remote produced no output.\n"},
      {exited(0), "r\0K1.2.3.4 accepted message.\nRemote host said: 250 ok\n\0"s,
       "K1.2.3.4 accepted message.\nRemote host said: 250 ok\n"},
      {exited(0), "h1.2.3.4 does not like recipient.\nRemote host said: 550 no\n\0DGiving up on 1.2.3.4.\n\0"s,
       "D1.2.3.4 does not like recipient.\nRemote host said: 550 no\nGiving up on 1.2.3.4.\n"},
      {exited(0), "s1.2.3.4 does not like recipient.\nRemote host said: 450 later\n\0ZGiving up.\n\0"s,
       "Z1.2.3.4 does not like recipient.\nRemote host said: 450 later\nGiving up.\n"},
      // s on the first report beats a later K: temporary, and the K text is not added.
      {exited(0), "sfirst\n\0Kgood\n\0"s, "Zfirst\n"},
      {exited(0), "ZConnected to 1.2.3.4 but connection died. (#4.4.2)\n\0"s,
       "ZConnected to 1.2.3.4 but connection died. (#4.4.2)\n"},
      {exited(0), "DSorry, I couldn't find any host named x. (#5.1.2)\n\0"s,
       "DSorry, I couldn't find any host named x. (#5.1.2)\n"},
      {exited(0), "rno status letter\n\0"s, "Dno status letter\n"},  // none found: permanent
      {exited(0), "Kno NUL at all", "D"},  // no complete report: permanent, no text
  };
  for (const auto& r : rows) {
    INFO("status " << r.status << " output " << r.out);
    CHECK(spawn::rspawn_report(r.status, r.out) == r.want);
  }
}

TEST_CASE("recipients split at the last @") {
  CHECK(spawn::split_recipient("a@b@c") == std::pair<std::string_view, std::string_view>{"a@b", "c"});
  CHECK(spawn::split_recipient("@h").first.empty());
}
