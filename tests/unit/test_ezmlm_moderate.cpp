// Unit tests: the moderation queue's pieces (ezmlm/lib/moderate*.h).
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <fstream>
#include <optional>
#include <string>

#include "ezmlm/lib/moderate.h"
#include "ezmlm/lib/moderate_comment.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "tmpdir.h"

using ezmlm::moderate::comment_between_markers;
using ezmlm::moderate::extract_comment;

TEST_CASE("moderator comment between %%% markers") {
  struct Row {
    const char* name;
    std::string text;
    std::optional<std::string> want;
  };
  const Row rows[] = {
      // malformed first
      {"no markers", "just a reply\n", std::nullopt},
      {"one marker only", "%%%\nsome text\n", std::nullopt},
      {"marker too far in", "123456%%%\nx\n123456%%%\n", std::nullopt},
      {"two percent signs", "%%\nx\n%%\n", std::nullopt},
      {"empty between", "%%%\n%%%\n", std::nullopt},
      {"blank between", "%%%\n  \n\n%%%\n", std::nullopt},
      {"quoted blank between", "> %%%\n>\n> %%%\n", std::nullopt},
      // good
      {"plain", "%%%\nnot on topic\n%%%\n", "not on topic\n"},
      {"two lines", "x\n%%%\none\ntwo\n%%%\nafter\n", "one\ntwo\n"},
      {"quoted", "> %%%\n> please trim\n> %%%\n", "please trim\n"},
      {"five-char prefix", ">>>> %%%\n>>>> five\n>>>> %%% end\n", "five\n"},
      {"unquoted line kept whole", "> %%%\nmine\n> %%%\n", "mine\n"},
      {"CRLF", "%%%\r\ncrlf text\r\n%%%\r\n", "crlf text\n"},
      {"percent inside text", "%%%\n50% off\n%%%\n", "50% off\n"},
      {"third marker ignored", "%%%\na\n%%%\nb\n%%%\n", "a\n"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    CHECK(comment_between_markers(row.text) == row.want);
  }
}

TEST_CASE("moderator comment from whole replies with encodings") {
  struct Row {
    const char* name;
    std::string message;
    std::optional<std::string> want;
  };
  const Row rows[] = {
      {"header only", "Subject: x\n", std::nullopt},
      {"multipart without boundary", "Content-Type: multipart/mixed\n\n%%%\nx\n%%%\n", std::nullopt},
      {"multipart without text part",
       "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: image/png\n\n%%%\nx\n%%%\n--b--\n",
       std::nullopt},
      {"plain body", "Subject: Re: MODERATE\n\n> %%%\n> off topic\n> %%%\n", "off topic\n"},
      {"quoted-printable",
       "Content-Transfer-Encoding: quoted-printable\n\n%%%\nna=C3=AFve =3D soft=\n break\n%%%\n",
       "na\xC3\xAFve = soft break\n"},
      {"base64", "Content-Transfer-Encoding: base64\n\nJSUlCmJhc2U2NCBjb21tZW50CiUlJQo=\n", "base64 comment\n"},
      {"multipart first text part",
       "Content-Type: multipart/alternative; boundary=\"xy z\"\n\npreamble %%%\n--xy z\n"
       "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"
       "JSUlCmJhc2U2NCBjb21tZW50CiUlJQo=\n--xy z\nContent-Type: text/html\n\n<p>%%%</p>\n--xy z--\n",
       "base64 comment\n"},
      {"multipart untyped part", "Content-Type: multipart/mixed; boundary=q\n\n--q\n\n%%%\nuntyped\n%%%\n--q--\n",
       "untyped\n"},
      {"multipart without closing delimiter",
       "Content-Type: multipart/mixed; boundary=q\n\n--q\nContent-Type: text/plain\n\n%%%\nopen\n%%%\n", "open\n"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    CHECK(extract_comment(row.message) == row.want);
  }
}

TEST_CASE("queue names, Return-Path lines and timeouts") {
  using namespace ezmlm::moderate;
  CHECK_FALSE(parse_queue_name(""));
  CHECK_FALSE(parse_queue_name("123"));
  CHECK_FALSE(parse_queue_name(".tmp.1.2"));
  CHECK_FALSE(parse_queue_name("1.2.3"));
  CHECK_FALSE(parse_queue_name("12a.4"));
  CHECK_FALSE(parse_queue_name("123456789012345678901.4"));
  auto q = parse_queue_name("1700000000.4242");
  REQUIRE(q);
  CHECK(q->time == 1700000000);
  CHECK(q->pid == "4242");
  CHECK(q->text() == "1700000000.4242");

  CHECK(return_path_line("a@b") == "Return-Path: <a@b>\n");
  CHECK(return_path_line(std::string("a\nb\0c@d", 7)) == "Return-Path: <a_b_c@d>\n");
  CHECK(stored_sender("Return-Path: <a@b>") == "a@b");
  CHECK(stored_sender("return-path:<x<y>@z>") == "x<y>@z");
  CHECK(stored_sender("Return-Path: <>") == "");
  CHECK(stored_sender("Delivered-To: <a@b>") == "");
  CHECK(stored_sender("Return-Path: a@b") == "");
}

TEST_CASE("queue file: temp, commit, execute bit, remove") {
  lettershop_test::TempDir tmp("ezmod");
  std::filesystem::create_directories(tmp.path / "mod/pending");
  { std::ofstream(tmp.path / "outlocal") << "list\n"; }
  { std::ofstream(tmp.path / "outhost") << "example.test\n"; }
  ezmlm::Env env = ezmlm::Env::defaults();
  ezmlm::ListDir dir(tmp.path, env);
  using namespace ezmlm::moderate;
  CHECK(delivered_to_line(dir, Queue::pending) == "Delivered-To: moderator for list@example.test\n");
  CHECK(delivered_to_line(dir, Queue::unconfirmed) == "Delivered-To: confirm to list@example.test\n");
  std::string name;
  {
    QueueFile file(dir, Queue::pending, 1700000000);
    name = file.name().text();
    file.out() << return_path_line("p@example.org") << "Subject: x\n\nbody\n";
    CHECK_FALSE(file_exists(file.path()));
    file.commit();
    REQUIRE(file_exists(file.path()));
    struct stat st;
    REQUIRE(::stat(file.path().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    file.mark_sent();
    REQUIRE(::stat(file.path().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    CHECK(stored_sender_of(file.path()) == "p@example.org");
  }
  CHECK(file_exists(tmp.path / "mod/pending" / name));  // committed files stay
  {
    QueueFile second(dir, Queue::pending, 1700000000);
    CHECK(second.name().text() != name);  // the same second and pid: the next free name
    second.out() << "x\n";
  }
  // abandoned without commit: nothing left but the first file
  int count = 0;
  for (auto& e : std::filesystem::directory_iterator(tmp.path / "mod/pending")) (void)e, ++count;
  CHECK(count == 1);
}

TEST_CASE("accept command: default, one string through the shell, argv") {
  lettershop_test::TempDir tmp("ezmodcmd");
  ezmlm::Env env = ezmlm::Env::defaults();
  env.bin = "/nonexistent-bin";
  ezmlm::ListDir dir(tmp.path, env);
  using namespace ezmlm::moderate;
  auto def = accept_command(dir, {}, {"-r"});
  REQUIRE(def.argv.size() == 3);
  CHECK(def.argv[1] == "-r");
  CHECK(def.argv[2] == tmp.path.string());
  auto one = accept_command(dir, {"ezmlm-send -r /x"}, {});
  CHECK(one.argv == std::vector<std::string>{"/bin/sh", "-c", "ezmlm-send -r /x"});
  auto many = accept_command(dir, {"/bin/ezmlm-store", "-Y", "/x"}, {});
  CHECK(many.argv == std::vector<std::string>{"/bin/ezmlm-store", "-Y", "/x"});
  CHECK(many.use_path);

  // run_on_file: stdin is the file, SENDER the given one; exit codes map.
  std::ofstream(tmp.path / "msg") << "hello\n";
  auto out = tmp.path / "out";
  run_on_file({{"/bin/sh", "-c", "{ cat; echo \"$SENDER\"; } >" + out.string()}, false}, tmp.path / "msg", "s@x");
  CHECK(mta::io::read_file(out) == std::string("hello\ns@x\n"));
  CHECK_THROWS_AS(run_on_file({{"/bin/sh", "-c", "exit 100"}, false}, tmp.path / "msg", ""), mta::PermError);
  CHECK_THROWS_AS(run_on_file({{"/bin/sh", "-c", "exit 111"}, false}, tmp.path / "msg", ""), mta::TempError);
  run_on_file({{"/bin/sh", "-c", "exit 99"}, false}, tmp.path / "msg", "");
}
