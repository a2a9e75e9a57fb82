// qmail-newu — compile QH/users/assign into QH/users/cdb (qmail-newu(8)).
//
// The whole file is checked before anything is written: on a format error
// the old users/cdb stays exactly as it was. The new database is written to
// users/cdb.tmp, fsynced and renamed into place, so qmail-lspawn never sees a
// half-written one. Exit 0, or 111 with qmail's fatal texts.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mta/core/cdb.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/paths.h"
#include "mta/local/users.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"qmail-newu", "qmail-newu", "Compile users/assign into users/cdb."}, argc, argv,
      [](int, char**) {
        ::umask(033);
        mta::Home home = mta::qmail_home();
        if (::chdir(home.root.c_str()) == -1) throw mta::TempError(mta::cat("unable to chdir to ", home.root.string()), "");
        std::string assign;
        {
          mta::io::Fd fd(::open("users/assign", O_RDONLY | O_CLOEXEC));
          if (!fd) throw mta::TempError("unable to open users/assign", "");
          try {
            assign = mta::io::Reader(fd.get()).read_all();
          } catch (const std::exception&) {
            throw mta::TempError("unable to read users/assign", "");
          }
        }
        mta::users::Records records;
        try {
          records = mta::users::compile_assign(assign);
        } catch (const mta::users::AssignFormatError& e) {
          // qmail's line, exactly; the detail goes before it as a warning.
          mta::warn("qmail-newu", mta::cat("users/assign line ", std::to_string(e.line()), ": ", e.what()));
          throw mta::TempError("bad format in users/assign", "");
        }
        try {
          mta::cdb::Writer out("users/cdb", 0644);
          for (const auto& [key, value] : records) out.add(key, value);
          out.commit();
        } catch (const mta::MailError& e) {
          throw mta::TempError(mta::cat("unable to write users/cdb: ", e.what()), "");
        }
        return mta::exit_ok;
      });
}
