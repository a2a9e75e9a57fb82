// Unit tests: qmail-rspawn's batching in mta/send/spawn — which waiting
// commands share a qmail-remote run (grouping, order, the cap) and how one
// run's r/h/s + K/Z/D output becomes each recipient's report (reference
// mta.md 5.3, 9.5), including runs that stopped early or crashed.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <deque>
#include <string>
#include <vector>

#include "mta/send/spawn.h"

using namespace std::string_literals;
namespace spawn = mta::spawn;

namespace {
int exited(int code) { return (code & 0xff) << 8; }  // a wait status
int killed(int sig) { return sig & 0x7f; }

spawn::Command cmd(unsigned char slot, std::string mess, std::string sender, std::string rcpt) {
  return {slot, std::move(mess), std::move(sender), std::move(rcpt)};
}

std::string slots_of(const std::vector<spawn::Command>& batch) {
  std::string s;
  for (const auto& c : batch) s += std::to_string(c.slot) + ",";
  return s;
}
}  // namespace

TEST_CASE("spawn batches: same message, sender and domain only") {
  struct Row { spawn::Command a, b; bool same; };
  const Row rows[] = {
      {cmd(0, "1/2", "s@x", "a@d.test"), cmd(1, "1/3", "s@x", "b@d.test"), false},   // other message
      {cmd(0, "1/2", "s@x", "a@d.test"), cmd(1, "1/2", "t@x", "b@d.test"), false},   // other sender (VERP)
      {cmd(0, "1/2", "s@x", "a@d.test"), cmd(1, "1/2", "s@x", "b@e.test"), false},   // other domain
      {cmd(0, "1/2", "s@x", "a@d.test"), cmd(1, "1/2", "s@x", "b@sub.d.test"), false},
      {cmd(0, "1/2", "s@x", "a@d.test"), cmd(1, "1/2", "s@x", "d.test@e.test"), false},
      {cmd(0, "1/2", "s@x", "a@d.test"), cmd(1, "1/2", "s@x", "b@d.test"), true},
      {cmd(0, "1/2", "s@x", "a@d.test"), cmd(1, "1/2", "s@x", "B@D.Test"), true},     // case of the domain
      {cmd(0, "1/2", "", "a@b@d.test"), cmd(1, "1/2", "", "c@d.test"), true},        // the last @ counts
  };
  for (const auto& r : rows) {
    INFO(r.a.recipient << " " << r.a.sender << " / " << r.b.recipient << " " << r.b.sender);
    CHECK(spawn::same_batch(r.a, r.b) == r.same);
    CHECK(spawn::same_batch(r.b, r.a) == r.same);
  }
}

TEST_CASE("spawn batches: oldest first, its whole group in arrival order, then the rest") {
  std::deque<spawn::Command> waiting{
      cmd(0, "1/2", "s@x", "a@d.test"), cmd(1, "1/2", "s@x", "a@e.test"), cmd(2, "1/2", "s@x", "b@d.test"),
      cmd(3, "1/3", "s@x", "c@d.test"), cmd(4, "1/2", "s@x", "c@D.TEST"), cmd(5, "1/2", "s@x", "b@e.test"),
  };
  CHECK(slots_of(spawn::take_batch(waiting, 100)) == "0,2,4,");
  CHECK(slots_of(spawn::take_batch(waiting, 100)) == "1,5,");
  CHECK(slots_of(spawn::take_batch(waiting, 100)) == "3,");
  CHECK(waiting.empty());
  CHECK(spawn::take_batch(waiting, 100).empty());
}

TEST_CASE("spawn batches: capped, the rest leaves in the next batch") {
  std::deque<spawn::Command> waiting;
  for (int i = 0; i < 250; ++i) {
    std::string rcpt = "u";  // built by appending: GCC 12's -Wrestrict misfires on "u" + ... + "@..."
    rcpt += std::to_string(i);
    rcpt += "@list.test";
    waiting.push_back(cmd(static_cast<unsigned char>(i), "7/99", "", rcpt));
  }
  auto a = spawn::take_batch(waiting, spawn::remote_batch_limit);
  auto b = spawn::take_batch(waiting, spawn::remote_batch_limit);
  auto c = spawn::take_batch(waiting, spawn::remote_batch_limit);
  CHECK(a.size() == 100);
  CHECK(b.size() == 100);
  CHECK(c.size() == 50);
  CHECK(a.front().slot == 0);
  CHECK(a.back().slot == 99);
  CHECK(b.front().slot == 100);
  CHECK(c.back().slot == 249);
  CHECK(waiting.empty());
  // A limit of one is a spawner without batching.
  waiting = {cmd(0, "1/2", "", "a@d"), cmd(1, "1/2", "", "b@d")};
  CHECK(spawn::take_batch(waiting, 1).size() == 1);
  CHECK(waiting.size() == 1);
}

TEST_CASE("rspawn batch reports: each recipient gets what a run of its own would say") {
  const std::string ok = "K1.2.3.4 accepted message.\nRemote host said: 250 ok\n\0"s;
  struct Row { const char* what; int status; std::string out; std::vector<std::string> want; };
  const Row rows[] = {
      // Malformed and failed runs first: every recipient alike.
      {"crashed", killed(11), "r\0r\0"s, {"Zqmail-remote crashed.\n", "Zqmail-remote crashed.\n", "Zqmail-remote crashed.\n"}},
      {"exit 111", exited(111), "", {"ZUnable to run qmail-remote.\n", "ZUnable to run qmail-remote.\n", "ZUnable to run qmail-remote.\n"}},
      {"exit 100", exited(100), "", {"DUnable to run qmail-remote.\n", "DUnable to run qmail-remote.\n", "DUnable to run qmail-remote.\n"}},
      {"no output", exited(0), "", {"Zqmail-remote produced no output.\n", "Zqmail-remote produced no output.\n", "Zqmail-remote produced no output.\n"}},
      {"cut after one recipient", exited(0), "r\0r"s, {"D", "D", "D"}},  // as qmail for garbage: permanent
      {"no message report", exited(0), "r\0h550\n\0r\0"s, {"D", "D550\n", "D"}},
      // Whole-message failures before any RCPT.
      {"greeting", exited(0), "ZConnected to 1.2.3.4 but greeting failed.\n\0"s,
       {"ZConnected to 1.2.3.4 but greeting failed.\n", "ZConnected to 1.2.3.4 but greeting failed.\n", "ZConnected to 1.2.3.4 but greeting failed.\n"}},
      {"no host", exited(0), "DSorry, I couldn't find any host named d. (#5.1.2)\n\0"s,
       {"DSorry, I couldn't find any host named d. (#5.1.2)\n", "DSorry, I couldn't find any host named d. (#5.1.2)\n", "DSorry, I couldn't find any host named d. (#5.1.2)\n"}},
      // All accepted.
      {"all ok", exited(0), "r\0r\0r\0"s + ok,
       {"K1.2.3.4 accepted message.\nRemote host said: 250 ok\n", "K1.2.3.4 accepted message.\nRemote host said: 250 ok\n", "K1.2.3.4 accepted message.\nRemote host said: 250 ok\n"}},
      // a and c accepted, b refused permanently / temporarily (a 452 for too many recipients too).
      {"b 550", exited(0), "r\0h1.2.3.4 does not like recipient.\nRemote host said: 550 no b\n\0r\0"s + ok,
       {"K1.2.3.4 accepted message.\nRemote host said: 250 ok\n", "D1.2.3.4 does not like recipient.\nRemote host said: 550 no b\n",
        "K1.2.3.4 accepted message.\nRemote host said: 250 ok\n"}},
      {"b 452", exited(0), "r\0s1.2.3.4 does not like recipient.\nRemote host said: 452 too many\n\0r\0"s + ok,
       {"K1.2.3.4 accepted message.\nRemote host said: 250 ok\n", "Z1.2.3.4 does not like recipient.\nRemote host said: 452 too many\n",
        "K1.2.3.4 accepted message.\nRemote host said: 250 ok\n"}},
      // Nobody accepted: the message report is added to each refusal, as for one recipient.
      {"all refused", exited(0), "h1 550 a\n\0s1 450 b\n\0h1 550 c\n\0DGiving up on 1.2.3.4.\n\0"s,
       {"D1 550 a\nGiving up on 1.2.3.4.\n", "Z1 450 b\nGiving up on 1.2.3.4.\n", "D1 550 c\nGiving up on 1.2.3.4.\n"}},
      // DATA or the final reply failed: every accepted recipient gets the message's verdict.
      {"data 554", exited(0), "r\0h1 550 b\n\0r\0D1.2.3.4 failed after I sent the message.\nRemote host said: 554 spam\n\0"s,
       {"D1.2.3.4 failed after I sent the message.\nRemote host said: 554 spam\n", "D1 550 b\n",
        "D1.2.3.4 failed after I sent the message.\nRemote host said: 554 spam\n"}},
      {"died", exited(0), "r\0r\0ZConnected to 1.2.3.4 but connection died. (#4.4.2)\n\0"s,
       {"ZConnected to 1.2.3.4 but connection died. (#4.4.2)\n", "ZConnected to 1.2.3.4 but connection died. (#4.4.2)\n",
        "ZConnected to 1.2.3.4 but connection died. (#4.4.2)\n"}},
  };
  for (const auto& r : rows) {
    INFO(r.what);
    auto got = spawn::rspawn_reports(r.status, r.out, 3);
    REQUIRE(got.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      INFO("recipient " << i);
      CHECK(got[i] == r.want[i]);
    }
  }
}

TEST_CASE("rspawn batch reports: one recipient is qmail's synthesis, byte for byte") {
  const std::string outs[] = {"r\0K1.2.3.4 accepted message.\n\0"s, "sfirst\n\0Kgood\n\0"s, "Kno NUL at all", "",
                              "h550\n\0DGiving up.\n\0trailing junk"s};
  for (const auto& o : outs) {
    INFO(o);
    auto got = spawn::rspawn_reports(exited(0), o, 1);
    REQUIRE(got.size() == 1);
    CHECK(got[0] == spawn::rspawn_report(exited(0), o));
  }
}

TEST_CASE("rspawn batch reports: one long refusal does not cut the others' reports") {
  std::string big(5000, 'x');
  std::string out = "r\0h"s + big + "\0r\0Kok\n\0"s;
  // The batch's child may say output_limit bytes per recipient.
  spawn::Output batch(spawn::output_limit * 3);
  batch.append(out);
  REQUIRE(batch.text() == out);
  auto got = spawn::rspawn_reports(exited(0), batch.text(), 3);
  REQUIRE(got.size() == 3);
  CHECK(got[0] == "Kok\n");
  CHECK(got[2] == "Kok\n");
  // b's own report is cut at qmail's limit, NUL and all, as a run for b
  // alone would have been: only the status survives.
  spawn::Output alone;
  alone.append("h"s + big + "\0"s);
  CHECK(got[1] == spawn::rspawn_report(exited(0), alone.text()));
  CHECK(got[1] == "D");
}
