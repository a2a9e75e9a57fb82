// qmail-setup — create a Lettershop instance (bin/, control/, queue/, users/, alias/).
//
// Usage: qmail-setup DIR [--sandbox] [--me HOSTNAME]
// Run by root without --sandbox it installs qmail's accounts, owners and
// modes; run by anyone else, or with --sandbox, it creates a sandbox that
// runs entirely as the caller. Safe to run again: see qmail-setup(8).
// Exit codes: 0 done, 100 usage, 111 a file-system or account problem.
#include <unistd.h>

#include <iostream>

#include "mta/admin/setup.h"
#include "mta/core/cli.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"qmail-setup", "qmail-setup DIR [--sandbox] [--me HOSTNAME]",
       "Create a complete Lettershop instance (a sandbox unless run as root)."},
      argc, argv, [](int argc, char** argv) {
        namespace po = mta::cli::po;
        po::options_description opts;
        opts.add_options()("sandbox", "")("me", po::value<std::string>(), "");
        auto args = mta::cli::parse(argc, argv, opts, mta::cli::Order::permute);
        if (args.positional.size() != 1) throw mta::UsageError("");

        mta::admin::SetupOptions o;
        o.dir = args.positional[0];
        o.sandbox = args.vars.count("sandbox") || ::geteuid() != 0;
        o.me = args.vars.count("me") ? args.vars["me"].as<std::string>() : mta::admin::host_fqdn();
        o.programs = mta::admin::self_dir();
        for (const auto& line : mta::admin::setup(o)) std::cout << "qmail-setup: " << line << "\n";
        std::cout.flush();
        if (!std::cout) throw mta::TempError("unable to write output");
        return mta::exit_ok;
      });
}
