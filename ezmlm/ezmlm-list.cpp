// ezmlm-list — print a list's subscribers, one per line (-n: the count).
//
// `ezmlm-list [-mMnNvV] [-S subdb] DIR [subdir]`. The db is streamed, so a
// list of any size is printed in constant memory. Exit 0; 100 usage; 111
// for file trouble. See ezmlm-list(1).
#include <iostream>

#include "ezmlm/lib/tools.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"ezmlm-list", "ezmlm-list [-mMnNvV] [-S subdb] dir [subdir]", "print the subscribers of a mailing list"},
      argc, argv, [](int argc, char** argv) {
        auto cl = ezmlm::parse_command_line(argc, argv, "mMnNvVS:");
        if (cl.operands.empty() || cl.operands.size() > 2) throw mta::UsageError("");
        ezmlm::ListDir dir(cl.operands[0]);
        auto store = ezmlm::open_store(dir, cl.operands.size() > 1 ? cl.operands[1] : "",
                                       ezmlm::store_options(cl));
        bool count_only = cl.last_of("nN", 'N') == 'n';
        mta::io::Writer out(1, 65536);
        unsigned long n = 0;
        store->for_each([&](std::string_view address) {
          ++n;
          if (!count_only) {
            out.write(address);
            out.put('\n');
          }
          return true;
        });
        if (count_only) out << std::to_string(n) << "\n";
        out.flush();
        return mta::exit_ok;
      });
}
