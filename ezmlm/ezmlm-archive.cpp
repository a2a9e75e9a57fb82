// ezmlm-archive — the thread, subject and author indexes of a list archive.
//
// `ezmlm-archive [-cCFsSTvV] [-f msg] [-t msg] DIR`: reads the subject
// index (archive/N/index) of the messages after DIR/archnum up to DIR/num
// and brings archive/threads, archive/subjects, archive/authors and archnum
// up to date for ezmlm-cgi (format in post_threads.h and ezmlm-archive(1)).
// Exit 0; 99 after a run that met damaged index lines (warning); 100 for
// usage or an empty archive (no num: nothing is created); 111 otherwise.
#include <iostream>

#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/options.h"
#include "ezmlm/lib/post_threads.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"ezmlm-archive", "ezmlm-archive [-cCFsSTvV] [-f msg] [-t msg] dir",
       "build the thread, subject and author indexes of a mailing list archive"},
      argc, argv, [](int argc, char** argv) {
        auto cl = ezmlm::parse_command_line(argc, argv, "cCf:FsSt:TvV");
        if (cl.operands.size() != 1) throw mta::UsageError("");
        ezmlm::post::ArchiveOptions o;
        for (const auto& opt : cl.options) {  // left to right, the last one wins
          switch (opt.letter) {
            case 'c': o.create = true; break;
            case 'C': o.create = false; break;
            case 'f': o.from = ezmlm::number_value('f', opt.value); break;
            case 'F': o.from = 0; break;
            case 's': o.sync_always = true; break;
            case 'S': o.sync_always = false; break;
            case 't': o.to = ezmlm::number_value('t', opt.value); break;
            case 'T': o.to = 0; break;
            default: break;
          }
        }
        ezmlm::ListDir dir(cl.operands[0]);
        auto result = ezmlm::post::run_archive(dir, o);
        if (result.empty) throw mta::PermError(dir.message("ERR_EMPTY_LIST"), "");
        if (result.bad) {
          std::cerr << "ezmlm-archive: warning: inconsistent index: " << result.bad << " damaged lines skipped\n";
          return mta::exit_stop;
        }
        return mta::exit_ok;
      });
}
