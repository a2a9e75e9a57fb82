// qmail-newmrh — compile control/morercpthosts into control/morercpthosts.cdb
// (see man/man8/qmail-newmrh.8). The database is built as
// morercpthosts.cdb.tmp, fsynced and renamed: qmail-smtpd, which opens it
// per lookup, sees either the old or the new one, never half of one.
#include "mta/core/address.h"
#include "mta/core/cdb.h"
#include "mta/core/control.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"qmail-newmrh", "qmail-newmrh", "Compile control/morercpthosts into morercpthosts.cdb."}, argc, argv,
      [](int argc, char**) {
        using namespace mta;
        if (argc > 1) throw UsageError("usage: qmail-newmrh");
        Home home = qmail_home();
        auto src = home.control() / "morercpthosts";
        auto text = io::read_file(src);
        if (!text) throw TempError(cat("unable to read ", src.string(), ": file does not exist"));
        cdb::Writer w(home.control() / "morercpthosts.cdb");
        for (const auto& line : control::parse_list(*text)) w.add(address::ascii_lower(line), "");
        w.commit();
        return exit_ok;
      });
}
