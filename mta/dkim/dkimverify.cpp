// dkimverify — check the DKIM signatures of the message on stdin
// (dkimverify(1)): one result line per DKIM-Signature field, in the words
// of Authentication-Results (RFC 8601). Exit 0 when at least one signature
// passes, 100 when none does (or there is none), 111 when none passes and a
// key look-up failed temporarily (so a .qmail pipe defers instead of
// deciding on half an answer).
#include <unistd.h>

#include <ctime>
#include <iostream>

#include "mta/core/cli.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/dkim/verify.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"dkimverify", "dkimverify [-q] <message",
       "Verify the DKIM signatures of the message on stdin; exit 0 if one passes, 100 if none."},
      argc, argv, [](int argc, char** argv) {
        namespace po = mta::cli::po;
        po::options_description opts;
        opts.add_options()("quiet,q", "");
        auto args = mta::cli::parse(argc, argv, opts, mta::cli::Order::permute);
        if (!args.positional.empty()) throw mta::UsageError("usage: dkimverify [-q] <message");
        bool quiet = args.vars.count("quiet") > 0;

        mta::io::Reader in(STDIN_FILENO);
        auto results = mta::dkim::verify(in, mta::dkim::dns_lookup(), std::time(nullptr));
        bool pass = false, temp = false;
        std::string out;
        for (const auto& r : results) {
          pass = pass || r.status == mta::dkim::Status::pass;
          temp = temp || r.status == mta::dkim::Status::temperror;
          out += mta::dkim::format_result(r) + "\n";
        }
        if (results.empty()) out = "dkim=none (no signature)\n";
        if (!quiet) {
          std::cout << out;
          std::cout.flush();
          if (!std::cout) throw mta::TempError("unable to write the results");
        }
        if (pass) return mta::exit_ok;
        return temp ? mta::exit_temp : mta::exit_perm;
      });
}
