// Unit tests for ezmlm-get's command parser, range clamping and digest body.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <fstream>

#include "ezmlm/lib/digest.h"
#include "ezmlm/lib/get_command.h"
#include "tests/unit/tmpdir.h"

using namespace ezmlm::get;

TEST_CASE("get: manager actions", "[ezmlm][get]") {
  struct Row {
    const char* action;
    Action kind;
    char format;
    unsigned long first, second;
  };
  const Row rows[] = {
      // Not ours first.
      {"", Action::none, 0, 0, 0},
      {"subscribe", Action::none, 0, 0, 0},
      {"ge", Action::none, 0, 0, 0},
      {"xget.1", Action::none, 0, 0, 0},
      {"dig.code", Action::none, 0, 0, 0},  // the trigger is parse_digest_trigger's
      // Ours.
      {"get", Action::get, 0, 0, 0},
      {"digest", Action::get, 0, 0, 0},
      {"DIGEST", Action::get, 0, 0, 0},
      {"get.5", Action::get, 0, 5, 0},
      {"get-5", Action::get, 0, 5, 0},
      {"get5", Action::get, 0, 5, 0},
      {"GET.1_5", Action::get, 0, 1, 5},
      {"get.1-5", Action::get, 0, 1, 5},
      {"getr.1.5", Action::get, 'r', 1, 5},
      {"getx-2_3", Action::get, 'x', 2, 3},
      {"getq.2", Action::get, 0, 0, 0},  // 'q' is no format and no separator: scan stops at once
      {"get.1-999999999", Action::get, 0, 1, 999999999},
      {"get.99999999999999999999999999_1", Action::get, 0, ~0UL, 1},
      {"index", Action::index, 0, 0, 0},
      {"index.200_400", Action::index, 0, 200, 400},
      {"thread.7", Action::thread, 0, 7, 0},
      {"threadv-7", Action::thread, 'v', 7, 0},
  };
  for (const auto& r : rows) {
    INFO(r.action);
    Command c = parse_command(r.action);
    CHECK(c.action == r.kind);
    if (r.kind == Action::none) continue;
    CHECK(c.format == r.format);
    CHECK(c.first == r.first);
    CHECK(c.second == r.second);
  }
}

TEST_CASE("get: digest trigger and code", "[ezmlm][get]") {
  struct Row {
    const char* action;
    const char* code;  // nullptr: no code anywhere
    Trigger result;
    char format;
  };
  const Row rows[] = {
      {"dig.code", nullptr, Trigger::bad_code, 0},
      {"dig.", "code", Trigger::bad_code, 0},
      {"dig.cod", "code", Trigger::bad_code, 0},
      {"dig.codeq", "code", Trigger::bad_code, 0},
      {"dig.codexx", "code", Trigger::bad_code, 0},
      {"dig.other", "code", Trigger::bad_code, 0},
      {"dig.code", "", Trigger::bad_code, 0},
      {"digest", "code", Trigger::not_digest, 0},
      {"dig", "code", Trigger::not_digest, 0},
      {"get.1", "code", Trigger::not_digest, 0},
      {"dig.code", "code", Trigger::accepted, 0},
      {"DIG-CODE", "code", Trigger::accepted, 0},
      {"dig.coder", "code", Trigger::accepted, 'r'},
      {"dig.coden", "code", Trigger::accepted, 'n'},
  };
  for (const auto& r : rows) {
    INFO(r.action << " code " << (r.code ? r.code : "(none)"));
    auto t = parse_digest_trigger(r.action, r.code ? std::optional<std::string_view>(r.code) : std::nullopt);
    CHECK(t.result == r.result);
    CHECK(t.format == r.format);
  }
}

TEST_CASE("get: ranges are clamped to the archive and MAXGET", "[ezmlm][get]") {
  struct Row {
    unsigned long first, second, max, dignum;
    Span want;
  };
  const Row rows[] = {
      {1, 999999999, 5, 0, {1, 5}},
      {1, 999999999, 500, 0, {1, 100}},
      {~0UL, ~0UL, 500, 0, {401, 500}},          // get.huge_huge: the recent ones, at most 100
      {~0UL, 1, 500, 450, {420, 500}},
      {~0UL, 0, 500, 0, {500, 500}},
      {0, 0, 5, 0, {1, 5}},                      // since the last digest, or the last 30
      {0, 0, 500, 0, {470, 500}},
      {0, 0, 500, 200, {401, 500}},              // 300 since the digest: the last 100
      {0, 0, 500, 450, {450, 500}},
      {5, 0, 10, 0, {5, 5}},
      {0, 5, 10, 0, {1, 5}},
      {23, 2, 30, 0, {23, 23}},
      {3, 7, 10, 0, {3, 7}},
  };
  for (const auto& r : rows) {
    INFO(r.first << "_" << r.second << " max " << r.max << " dignum " << r.dignum);
    Span s = get_span(r.first, r.second, r.max, r.dignum);
    CHECK(s == r.want);
    CHECK(s.from >= 1);
    CHECK(s.to <= r.max);
    CHECK(s.to - s.from < max_get);
  }
  CHECK(index_span(0, 0, 50) == Span{1, 50});
  CHECK(index_span(1, 999999999, 5000) == Span{1, 2001});
  CHECK(index_span(9000, 0, 5000) == Span{5000, 5000});
  CHECK(!thread_span(0, 10));
  CHECK(!thread_span(11, 10));
  CHECK(*thread_span(5, 10) == Span{1, 10});
  CHECK(*thread_span(5000, 10000) == Span{3000, 7000});
}

namespace {

void archive(const std::filesystem::path& dir, unsigned long n, const std::string& text, bool complete = true) {
  auto sub = dir / "archive" / std::to_string(n / 100);
  std::filesystem::create_directories(sub);
  char name[8];
  std::snprintf(name, sizeof name, "%02lu", n % 100);
  std::ofstream(sub / name) << text;
  ::chmod((sub / name).c_str(), complete ? 0744 : 0644);
}

BodyPlan plan_for(char format) {
  BodyPlan p;
  p.kind = Kind::digest;
  p.format = format;
  p.listname = "list";
  p.subject = "list Digest 1 Jan 2026 Issue 1";
  p.boundary = "abcdefghijklmnopabcd";
  p.charset = "us-ascii";
  p.span = {1, 3};
  p.administrivia = "To leave, write.\n";
  p.digheaders = default_digheaders();
  p.get_bad = "not found\n";
  p.txt_topics = "Topics (messages 1 through 3)";
  p.txt_administrivia = "Administrivia:";
  p.txt_by = [](const std::string& a) { return "by: " + a; };
  p.txt_end = "End of list Digest";
  return p;
}

std::size_t count(const std::string& s, std::string_view what) {
  std::size_t n = 0;
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("digest: body in every format", "[ezmlm][get]") {
  lettershop_test::TempDir tmp("digest");
  archive(tmp.path, 1, "Return-Path: <a@x>\nReceived: x\nFrom: Ann <a@x>\nSubject: topic\nX-Junk: 1\n\nbody one\n");
  archive(tmp.path, 2, "From: Bob <b@x>\nSubject: other\n\n\n\nbody two\n\n\nmore\n\n");
  archive(tmp.path, 3, "From: Cy <c@x>\nSubject: Re: topic\n\nbody three", false);  // incomplete
  auto records = load_records(tmp.path, {1, 3}, "");
  REQUIRE(records.size() == 3);
  CHECK(records[0].subject == "topic");
  CHECK(records[1].author == "Bob");
  CHECK(records[2].subject.empty());  // incomplete: no record made from it

  SECTION("m: multipart/digest, filtered headers, threaded order") {
    BodyPlan p = plan_for('m');
    p.topics = make_topics(records, true);
    std::string out;
    mta::io::Writer w(out);
    write_body(w, tmp.path, p);
    w.flush();
    CHECK(out.rfind("MIME-Version: 1.0\nContent-Type: multipart/digest; boundary=abcdefghijklmnopabcd\n"
                    "Subject: list Digest 1 Jan 2026 Issue 1\n\n--abcdefghijklmnopabcd\n",
                    0) == 0);
    CHECK(count(out, "Content-Type: message/rfc822\n") == 2);
    CHECK(count(out, "filename=\"list_3.eml\"") == 1);
    CHECK(out.find("not found\n") != std::string::npos);
    CHECK(out.find("X-Junk") == std::string::npos);
    CHECK(out.find("Return-Path") == std::string::npos);
    CHECK(out.find("Topics (messages 1 through 3)\n\ntopic\n\t1 by: Ann\n") != std::string::npos);
    CHECK(out.find("\n--abcdefghijklmnopabcd--\n") == out.size() - 26);
  }
  SECTION("v keeps whole messages; x is multipart/mixed") {
    BodyPlan p = plan_for('v');
    p.topics = make_topics(records, true);
    std::string out;
    mta::io::Writer w(out);
    write_body(w, tmp.path, p);
    w.flush();
    CHECK(out.find("X-Junk: 1\n") != std::string::npos);
    p.format = 'x';
    out.clear();
    mta::io::Writer w2(out);
    write_body(w2, tmp.path, p);
    w2.flush();
    CHECK(out.find("Content-Type: multipart/mixed; boundary=") != std::string::npos);
  }
  SECTION("r: RFC 1153 text, blank runs cut") {
    BodyPlan p = plan_for('r');
    p.topics = make_topics(records, true);
    std::string out;
    mta::io::Writer w(out);
    write_body(w, tmp.path, p);
    w.flush();
    CHECK(count(out, "Content-Type:") == 1);
    CHECK(out.find("From: Bob <b@x>\nSubject: other\n\nbody two\n\nmore\n\n------------------------------\n") !=
          std::string::npos);
    CHECK(out.find("\n== 3 ==\n\nnot found\n") != std::string::npos);
    CHECK(out.find("End of list Digest\n***********************************\n") != std::string::npos);
  }
}

TEST_CASE("digest: records across index blocks, damaged index lines", "[ezmlm][get]") {
  lettershop_test::TempDir tmp("digest-idx");
  archive(tmp.path, 99, "From: A <a@x>\nSubject: ninety-nine\n\nx\n");
  archive(tmp.path, 100, "From: B <b@x>\nSubject: hundred\n\nx\n");
  archive(tmp.path, 101, "From: C <c@x>\nSubject: hundred and one\n\nx\n");
  // Block 1 has an index: one good entry and one damaged; block 0 has none.
  std::ofstream(tmp.path / "archive" / "1" / "index")
      << "100: aaaaaaaaaaaaaaaaaaaa Indexed subject\n\t1 Jan 2026 00:00:00 -0000;bbbbbbbbbbbbbbbbbbbb Indexed Author\n"
      << "101: not a hash line\n\tjunk\n";
  auto records = load_records(tmp.path, {99, 102}, "");
  REQUIRE(records.size() == 4);
  CHECK(records[0].number == 99);
  CHECK(records[0].subject == "ninety-nine");  // made from the message itself
  CHECK(records[1].subject == "Indexed subject");
  CHECK(records[1].author == "Indexed Author");
  CHECK(records[2].subject == "hundred and one");  // damaged entry: from the message
  CHECK(records[3].number == 102);
  CHECK(records[3].subjhash.empty());  // not archived: its place, no record
  auto topics = make_topics(records, true);
  CHECK(topics.size() == 4);
  CHECK(make_topics(records, false).size() == 4);
  CHECK(load_records(tmp.path, {0, 0}, "").empty());
  CHECK(index_text(tmp.path, {99, 101}, "(none)") ==
        "(none)\n100: Indexed subject\n\t1 Jan 2026 Indexed Author\n");
}
