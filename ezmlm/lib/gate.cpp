// ezmlm/lib/gate.cpp — see gate.h.
#include "ezmlm/lib/gate.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "ezmlm/lib/moderate.h"
#include "ezmlm/lib/tools.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/process.h"
#include "mta/core/text.h"

namespace ezmlm::gate {
namespace {
using mta::cat;

// The children read the message from fd 0 from its start, once each: a
// pipe cannot be rewound, so its contents go to an unlinked temporary file.
void make_stdin_seekable(const ListDir& dir) {
  if (::lseek(0, 0, SEEK_SET) == 0) return;
  if (errno != ESPIPE) throw mta::TempError(dir.message("ERR_SEEK_INPUT"), std::strerror(errno));
  const char* tmpdir = std::getenv("TMPDIR");
  std::string tmpl = cat(tmpdir && *tmpdir ? tmpdir : "/tmp", "/ezmlm-gate.XXXXXX");
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) throw mta::TempError(dir.message("ERR_WRITE", {tmpl}), std::strerror(errno));
  mta::io::Fd file(fd);
  ::unlink(tmpl.c_str());
  mta::io::Reader in(0);
  mta::io::Writer out(file.get());
  char buf[65536];
  for (std::size_t n; (n = in.read(buf, sizeof buf)) > 0;) out.write(std::string_view(buf, n));
  out.flush();
  if (::dup2(file.get(), 0) < 0 || ::lseek(0, 0, SEEK_SET) != 0)
    throw mta::TempError(dir.message("ERR_SEEK_INPUT"), std::strerror(errno));
}

void rewind_stdin(const ListDir& dir) {
  if (::lseek(0, 0, SEEK_SET) != 0) throw mta::TempError(dir.message("ERR_SEEK_INPUT"), std::strerror(errno));
}

// A wait status as a .qmail exit code; a signal counts as temporary.
int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return mta::exit_temp;
}

// Runs the -q lines; nullopt when every line said "next".
std::optional<Verdict> run_queries(const ListDir& dir, std::string_view file) {
  std::vector<std::string> lines;
  if (!file.empty() && file[0] == '/') {
    auto text = mta::io::read_file(std::string(file));
    if (!text) throw mta::TempError(dir.message("ERR_OPEN", {std::string(file)}), "");
    mta::text::for_each_line(*text, [&](std::size_t, std::string_view l) { lines.emplace_back(l); });
  } else {
    // A missing file must not read as "no objections": that would post.
    if (!dir.locate(file)) throw mta::TempError(dir.message("ERR_OPEN", {std::string(file)}), "");
    lines = dir.lines(file);
  }
  for (const auto& command : query_commands(lines)) {
    rewind_stdin(dir);
    mta::process::SpawnOptions opts;
    opts.chdir = dir.path();
    int code = exit_code(mta::process::wait_for(mta::process::spawn({"/bin/sh", "-c", command}, opts)));
    Verdict v = query_verdict(code);
    if (v == Verdict::defer) throw mta::TempError(dir.message("ERR_CHILD_TEMP"), "");
    if (v != Verdict::next) return v;
  }
  return std::nullopt;
}

}  // namespace

Verdict query_verdict(int code) {
  switch (code) {
    case 0: return Verdict::next;
    case mta::exit_stop: return Verdict::post;
    case mta::exit_temp: return Verdict::defer;
    default: return Verdict::moderate;
  }
}

std::vector<std::string> query_commands(const std::vector<std::string>& lines) {
  std::vector<std::string> out;
  for (std::string_view l : lines) {
    l = mta::text::trim(l);
    if (l.empty() || l[0] == '#') continue;
    if (l[0] == '|') l.remove_prefix(1);
    if (!mta::text::trim(l).empty()) out.emplace_back(l);
  }
  return out;
}

std::vector<std::string> child_argv(std::string_view program_path, bool post, const CommandLine& cl,
                                    std::string_view dir) {
  std::string send_letters = "cCrRQ", store_letters = "mMpPsSyYcCrR";
  std::string_view mine = post ? send_letters : store_letters;
  std::vector<std::string> argv{std::string(program_path)};
  for (const auto& o : cl.options)
    if (mine.find(o.letter) != std::string_view::npos) argv.push_back(std::string("-") + o.letter);
  argv.emplace_back(dir);
  return argv;
}

int run(const CommandLine& cl) {
  if (cl.operands.empty()) throw mta::UsageError("");
  Env env = Env::from_environ();
  ListDir dir(cl.operands[0], env);
  std::vector<std::string> dbs(cl.operands.begin() + 1, cl.operands.end());
  // The db arguments are checked before anything runs (an absolute one
  // outside DIR is an error even when a query would decide).
  auto subdirs = dbs.empty() ? std::vector<std::string>{} : db_arguments(dir, dbs);
  make_stdin_seekable(dir);

  std::optional<Verdict> verdict;
  if (auto q = cl.last('q')) {
    verdict = run_queries(dir, *q);
    if (!verdict && subdirs.empty()) verdict = Verdict::post;
  }
  if (!verdict) {
    bool member = env.sender && !subdirs.empty() && sender_in_dbs(dir, dbs);
    verdict = member ? Verdict::post : Verdict::moderate;
  }
  bool post = *verdict == Verdict::post;
  auto argv = child_argv(moderate::sibling_program(env, post ? "ezmlm-send" : "ezmlm-store"), post, cl, cl.operands[0]);
  if (cl.has('0')) {
    std::string line;
    for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
    std::cerr << line << "\n";
    return 0;
  }
  rewind_stdin(dir);
  int code = exit_code(mta::process::wait_for(mta::process::spawn(argv)));
  if (code == 0 || code == mta::exit_perm) return code;
  return mta::exit_temp;
}

}  // namespace ezmlm::gate
