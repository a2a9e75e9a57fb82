// vuserdb — build a virtual domain's user cdb from its passwd-format file.
// "vuserdb [PASSWD [CDB]]", by default vpasswd and vpasswd.cdb in the
// current directory (the domain directory, as vpopmail names them). The cdb
// is replaced atomically; bad lines and repeated names are left out with a
// warning each. Exit codes: 0 built, 100 usage, 111 unreadable input or a
// failed write. See filters/vuser.h and vuserdb(8).
#include <fstream>
#include <string>

#include "filters/vuser.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

int main(int argc, char** argv) {
  return mta::run_main({"vuserdb", "vuserdb [PASSWD [CDB]]", "build the user database of a virtual domain"}, argc,
                       argv, [](int argc, char** argv) {
                         if (argc > 3) throw mta::UsageError("too many arguments");
                         const std::string passwd = argc > 1 ? argv[1] : "vpasswd";
                         const std::string cdb = argc > 2 ? argv[2] : passwd + ".cdb";
                         auto contents = mta::io::read_file(passwd);
                         if (!contents) throw mta::TempError(mta::cat("unable to read ", passwd, ": no such file"));
                         for (const auto& r : filters::vuser::build_cdb(*contents, cdb))
                           mta::warn("vuserdb", mta::cat(passwd, " line ", std::to_string(r.line_number), ": ",
                                                         r.reason, ", left out"));
                         return mta::exit_ok;
                       });
}
