// ezmlm-get — digests and archive retrieval by mail.
//
// `ezmlm-get [-bBcCpPsS] [-f fmt] DIR [digestcode]`: from the command line
// or DIR/editor it sends a digest of the messages since the last one to the
// digest subscribers; from DIR/manager it answers list-get.N_M,
// list-index, list-thread.N and list-dig.CODE. Exit 0, 99 (request served),
// 100, 111. See ezmlm-get(1) and lib/get.h.
#include <ctime>

#include "ezmlm/lib/get.h"
#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/options.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"ezmlm-get", "ezmlm-get [-bBcCpPsS] [-f fmt] dir [digestcode]",
       "send digests and archived messages of a mailing list"},
      argc, argv, [](int argc, char** argv) {
        auto cl = ezmlm::parse_command_line(argc, argv, "bBcCf:pPsSvV");
        if (cl.operands.empty()) throw mta::UsageError("");
        ezmlm::ListDir dir(cl.operands[0]);
        auto options = ezmlm::get::options_from_files(dir);
        // getconfopt: the list's files first, then the switches left to right.
        for (const auto& o : cl.options) {
          switch (o.letter) {
            case 'b': options.omitbottom = false; break;
            case 'B': options.omitbottom = true; break;
            case 'c': options.commands = true; break;
            case 'C': options.commands = false; break;
            case 'p': options.is_public = true; break;
            case 'P': options.is_public = false; break;
            case 's': options.subscribers_only = true; break;
            case 'S': options.subscribers_only = false; break;
            case 'f':
              if (o.value && !o.value->empty()) options.format = (*o.value)[0];
              break;
            default: break;
          }
        }
        if (cl.operands.size() > 1) options.code = cl.operands[1];
        mta::io::Reader in(0);
        return ezmlm::get::run_get(dir, options, in, std::time(nullptr));
      });
}
