// ezmlm-dispatch — run the command file of one of many lists under DIR, as
// qmail-local would have run it through the list's own dot-qmail links.
//
// ezmlm-dispatch DIR [list]; the table is in ezmlm/lib/dispatch.h. Lines of
// the command file: "|command" runs through /bin/sh -c with stdin rewound
// and DEFAULT set (or unset) for it — the one shell, because the command
// file is the list's own dot-qmail text; "&address" or "address" is
// forwarded through qmail-queue with DTLINE on top; "#" lines are comments;
// file and Maildir lines are refused (100). Prints "did 0+F+P" (forwards,
// programs) on stdout. Exit: the first program's 99 or 100 ends the run
// with that code, any other failure with 111; else 0.
#include <sys/wait.h>
#include <unistd.h>

#include <iostream>

#include "ezmlm/lib/dispatch.h"
#include "ezmlm/lib/env.h"
#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/options.h"
#include "mta/core/dotqmail.h"
#include "mta/core/io.h"
#include "mta/core/process.h"

namespace {
using mta::cat;

void rewind_stdin() {
  if (::lseek(0, 0, SEEK_SET) == -1) mta::throw_errno("unable to rewind input");
}

int run(int argc, char** argv) {
  auto cl = ezmlm::parse_command_line(argc, argv, "vV", "ezmlm");
  if (cl.operands.empty() || cl.operands.size() > 2) throw mta::UsageError("");
  ezmlm::Env env = ezmlm::Env::from_environ();
  std::filesystem::path dir = cl.operands[0];

  // Which list, and which of its command files.
  ezmlm::dispatch::Target target;
  if (env.deflt && env.deflt->find('/') != std::string::npos)
    throw mta::PermError("the address extension contains a '/'", "5.1.1");
  if (cl.operands.size() == 2) {
    target.list = cl.operands[1];
    if (target.list.empty() || target.list[0] == '.' || target.list.find('/') != std::string::npos)
      throw mta::PermError(cat("bad list name: ", target.list), "5.1.1");
    target.rest = env.deflt;
  } else {
    if (!env.deflt) throw mta::PermError("DEFAULT not set", "");
    auto found = ezmlm::dispatch::find_list(dir, *env.deflt);
    if (!found) throw mta::PermError(cat("no list for ", *env.deflt), "5.1.1");
    target = *found;
  }
  auto route = ezmlm::dispatch::route(target.rest);
  std::filesystem::path listdir = dir / target.list;
  std::filesystem::path file = listdir / route.file;
  auto contents = mta::io::read_file(file);
  if (!contents) throw mta::TempError(cat("unable to open ", file.string()), "4.2.1");
  auto parsed = mta::dotqmail::parse(*contents, file.string());

  int forwards = 0, programs = 0;
  for (const auto& ins : parsed.instructions) {
    switch (ins.kind) {
      case mta::dotqmail::Kind::mbox:
      case mta::dotqmail::Kind::maildir:
        throw mta::PermError(cat("file and Maildir delivery are not supported: ", file.string(), " line ",
                                 std::to_string(ins.line)), "5.7.0");
      case mta::dotqmail::Kind::forward: {
        if (!env.dtline) throw mta::PermError("DTLINE not set", "");
        rewind_stdin();
        mta::Envelope envelope{env.sender.value_or(""), {ins.text}};
        auto fw = mta::dotqmail::queue_forward(mta::qmail_home(), 0, *env.dtline, envelope);
        if (!fw.result.ok()) {
          if (fw.result.permanent()) throw mta::PermError(std::string(fw.result.reason()), "");
          throw mta::TempError(std::string(fw.result.reason()), "");
        }
        ++forwards;
        break;
      }
      case mta::dotqmail::Kind::program: {
        rewind_stdin();
        mta::process::SpawnOptions opts;
        opts.fds = {{0, 0}, {1, 1}, {2, 2}};
        if (route.deflt)
          opts.setenv.push_back("DEFAULT=" + *route.deflt);
        else
          opts.unsetenv.push_back("DEFAULT");
        std::cout.flush();
        int status = mta::process::wait_for(mta::process::spawn({"/bin/sh", "-c", ins.text}, opts));
        ++programs;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) break;
        std::cout << "did 0+" << forwards << "+" << programs << "\n";
        if (WIFEXITED(status) && (WEXITSTATUS(status) == 99 || WEXITSTATUS(status) == 100))
          return WEXITSTATUS(status);
        return mta::exit_temp;
      }
    }
  }
  std::cout << "did 0+" << forwards << "+" << programs << "\n";
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  return mta::run_main({"ezmlm-dispatch", "ezmlm-dispatch dir [list]",
                        "run the command file of one of many lists by the address"},
                       argc, argv, run);
}
