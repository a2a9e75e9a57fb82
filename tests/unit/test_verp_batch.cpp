// Unit tests: VERP batching — send/bounce's verp_template (which expanded
// senders qmail-rspawn recognises, and that expanding the template again
// gives back the exact sender) and spawn's batch_sender/same_batch/take_batch
// grouping one post's VERP deliveries per domain.
#include <catch2/catch.hpp>

#include <deque>
#include <optional>
#include <string>

#include "mta/send/bounce.h"
#include "mta/send/spawn.h"

namespace send = mta::send;
namespace spawn = mta::spawn;

TEST_CASE("verp_template: which senders are a template's expansion") {
  struct Row {
    const char* sender;
    const char* rcpt;
    std::optional<std::string> tmpl;
  } rows[] = {
      // Malformed or merely similar first.
      {"", "joe@x.org", std::nullopt},
      {"list-return-3-joe=x.org", "joe@x.org", std::nullopt},            // no "@H"
      {"list-return-3-joe=x.org@host", "joe", std::nullopt},             // recipient without '@'
      {"list-return-3-joe=y.org@host", "joe@x.org", std::nullopt},       // other domain
      {"list-return-3-bob=x.org@host", "joe@x.org", std::nullopt},       // other local part
      {"list-return-3-Joe=x.org@host", "joe@x.org", std::nullopt},       // bytes, not case
      {"list-return-3-joe=X.org@host", "joe@x.org", std::nullopt},
      {"joe=x.org@host", "joe@x.org", std::nullopt},                     // no "P-" in front
      {"listjoe=x.org@host", "joe@x.org", std::nullopt},                 // P does not end in '-'
      {"list-return-3-joe=x.org@host", "xjoe@x.org", std::nullopt},      // a longer local part
      {"list-return-3-ajoe=x.org@host", "joe@x.org", std::nullopt},      // P would be "list-return-3-a"
      {"plain@host", "joe@x.org", std::nullopt},
      {"list-return-3-joe=x.org@host-@[]", "joe@x.org", std::nullopt},   // a template is no expansion
      // Expansions.
      {"list-return-3-joe=x.org@host", "joe@x.org", "list-return-3-@host-@[]"},
      {"-joe=x.org@host", "joe@x.org", "-@host-@[]"},                      // P empty
      {"list-return-3-a=b=x.org@host", "a=b@x.org", "list-return-3-@host-@[]"},  // '=' in the local part
      {"list-return-3-a@b=x.org@host", "a@b@x.org", "list-return-3-@host-@[]"},  // '@' in the local part
      {"list-return-3-=x.org@host", "@x.org", "list-return-3-@host-@[]"},        // empty local part
      {"list-return-3-joe=@host", "joe@", "list-return-3-@host-@[]"},            // empty domain
      {"l-return-3-j\xc3\xb6rg=b\xc3\xbc" "cher.example@h\xc3\xa4st", "j\xc3\xb6rg@b\xc3\xbc" "cher.example",
       "l-return-3-@h\xc3\xa4st-@[]"},                                                    // UTF-8 (IDN)
      {"list-return-3-joe=xn--bcher-kva.example@host", "joe@xn--bcher-kva.example",
       "list-return-3-@host-@[]"},                                                        // A-label
      {"a@b-joe=x.org@host", "joe@x.org", "a@b-@host-@[]"},   // P with '@': H is after the last one
  };
  for (const auto& r : rows) {
    INFO(r.sender << " / " << r.rcpt);
    auto t = send::verp_template(r.sender, r.rcpt);
    CHECK(t == r.tmpl);
    if (t) {
      CHECK(send::is_verp_template(*t));
      CHECK(send::verp_sender(*t, r.rcpt) == r.sender);  // expanding again: the same bytes
    }
  }
}

TEST_CASE("is_verp_template: what qmail-remote expands") {
  CHECK_FALSE(send::is_verp_template(""));
  CHECK_FALSE(send::is_verp_template("-@[]"));     // no '@' before the marker: qmail-send passes it as is
  CHECK_FALSE(send::is_verp_template("foo-@[]"));
  CHECK_FALSE(send::is_verp_template("a@b"));
  CHECK_FALSE(send::is_verp_template("a@b-@[]x"));
  CHECK(send::is_verp_template("list-@host-@[]"));
  CHECK(send::is_verp_template("@-@[]"));
}

namespace {
using C = spawn::Command;
// The slots of the next batch take_batch makes, in its order.
std::vector<int> next_batch(std::deque<C>& waiting, std::size_t limit = spawn::remote_batch_limit) {
  std::vector<int> slots;
  for (const auto& c : spawn::take_batch(waiting, limit)) slots.push_back(c.slot);
  return slots;
}
}  // namespace

TEST_CASE("spawn batches one post's VERP deliveries per domain") {
  CHECK(spawn::batch_sender(C{0, "1/2", "l-return-7-a=d.test@h", "a@d.test"}) == "l-return-7-@h-@[]");
  CHECK(spawn::batch_sender(C{0, "1/2", "s@x", "a@d.test"}) == "s@x");
  CHECK(spawn::batch_sender(C{0, "1/2", "l-return-7-a=d.test@h", "b@d.test"}) == "l-return-7-a=d.test@h");

  std::deque<C> waiting{
      C{0, "1/2", "l-return-7-a=d.test@h", "a@d.test"},
      C{1, "1/2", "l-return-7-b=e.test@h", "b@e.test"},
      C{2, "1/2", "l-return-7-c=D.TEST@h", "c@D.TEST"},  // the domain's case does not matter
      C{3, "1/3", "l-return-7-d=d.test@h", "d@d.test"},  // another message
      C{4, "1/2", "l-return-8-e=d.test@h", "e@d.test"},  // another template
      C{5, "1/2", "l-return-7-x=d.test@h", "f@d.test"},  // not its expansion: alone
      C{6, "1/2", "l-return-7-g=d.test@h", "g@d.test"},
      // A template itself, which qmail-send never hands on (it expands each
      // one), is what qmail-remote expands anyway: it may join.
      C{7, "1/2", "l-return-7-@h-@[]", "h@d.test"},
  };
  CHECK(next_batch(waiting) == std::vector<int>{0, 2, 6, 7});
  CHECK(next_batch(waiting) == std::vector<int>{1});
  CHECK(next_batch(waiting) == std::vector<int>{3});
  CHECK(next_batch(waiting) == std::vector<int>{4});
  CHECK(next_batch(waiting) == std::vector<int>{5});
  CHECK(waiting.empty());

  // Without VERP batches (a foreign $QMAILREMOTE) only equal senders join.
  waiting = {C{0, "1/2", "l-a=d.test@h", "a@d.test"}, C{1, "1/2", "l-b=d.test@h", "b@d.test"},
             C{2, "1/2", "s@x", "c@d.test"}, C{3, "1/2", "s@x", "e@d.test"}};
  CHECK(spawn::take_batch(waiting, 100, false).size() == 1);
  CHECK(spawn::take_batch(waiting, 100, false).size() == 1);
  CHECK(spawn::take_batch(waiting, 100, false).size() == 2);
  CHECK(waiting.empty());

  // The cap holds for VERP batches too.
  const char* senders[] = {"l-u0=d.test@h", "l-u1=d.test@h", "l-u2=d.test@h", "l-u3=d.test@h", "l-u4=d.test@h"};
  const char* rcpts[] = {"u0@d.test", "u1@d.test", "u2@d.test", "u3@d.test", "u4@d.test"};
  for (unsigned char i = 0; i < 5; ++i) waiting.push_back(C{i, "1/2", senders[i], rcpts[i]});
  CHECK(next_batch(waiting, 3) == std::vector<int>{0, 1, 2});
  CHECK(next_batch(waiting, 3) == std::vector<int>{3, 4});
}

TEST_CASE("rspawn_reports: each copy's own acceptance text") {
  // A VERP batch of three: the first accepted with its own queue id, the
  // second refused, the third accepted; the message report quotes the last.
  std::string out = std::string("r1.2.3.4 accepted message.\nRemote host said: 250 ok id1\n") + '\0' +
                    "h1.2.3.4 does not like recipient.\nRemote host said: 550 no\n" + '\0' +
                    "r1.2.3.4 accepted message.\nRemote host said: 250 ok id3\n" + '\0' +
                    "K1.2.3.4 accepted message.\nRemote host said: 250 ok id3\n" + '\0';
  auto r = spawn::rspawn_reports(0, out, 3);
  REQUIRE(r.size() == 3);
  CHECK(r[0] == "K1.2.3.4 accepted message.\nRemote host said: 250 ok id1\n");
  CHECK(r[1] == "D1.2.3.4 does not like recipient.\nRemote host said: 550 no\n");
  CHECK(r[2] == "K1.2.3.4 accepted message.\nRemote host said: 250 ok id3\n");
  // A bare "r" still takes the message report, as before.
  std::string plain = std::string("r") + '\0' + "r" + '\0' + "K1.2.3.4 accepted message.\nRemote host said: 250 ok\n" + '\0';
  auto p = spawn::rspawn_reports(0, plain, 2);
  CHECK(p[0] == "K1.2.3.4 accepted message.\nRemote host said: 250 ok\n");
  CHECK(p[1] == p[0]);
}
