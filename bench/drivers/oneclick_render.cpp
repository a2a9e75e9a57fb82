// oneclick-bench-render — bench/dkim-fanout's in-process measure of what
// per-recipient delivery adds (not installed, not in bin/):
// oneclick-bench-render DKIMDIR MESSAGE N renders the marked MESSAGE for N
// recipients and DKIM-signs each copy with the keys of DKIMDIR (a
// control/dkim directory) through the code qmail-remote runs
// (remote::OneclickCopies: prepared once, the body hashed once, then one
// copy() per recipient), and prints the seconds taken.
#include <fcntl.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/render/oneclick.h"
#include "mta/smtp/oneclick_copies.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"oneclick-bench-render", "oneclick-bench-render dkimdir message n",
       "Render and sign n per-recipient copies in one process and print the seconds (bench/dkim-fanout)."},
      argc, argv, [](int argc, char** argv) {
        if (argc != 4) throw mta::UsageError("usage: oneclick-bench-render dkimdir message n");
        long n = std::strtol(argv[3], nullptr, 10);
        auto t0 = std::chrono::steady_clock::now();
        mta::io::Fd fd = mta::io::open_or_throw(argv[2], O_RDONLY);
        auto p = mta::oneclick::prepare(fd.get(), 0);
        if (!p) throw mta::PermError("the message has no X-Lettershop-Oneclick field");
        mta::remote::OneclickCopies copies(std::move(*p), fd.get(), argv[1], 1795000000);
        if (!copies.signs()) throw mta::PermError("no DKIM key for the message's From: domain");
        std::size_t total = 0;
        for (long i = 0; i < n; ++i) {
          std::string rcpt = mta::cat("u", std::to_string(i), "@d", std::to_string(i % 5), ".bench-remote.test");
          total += copies.copy(rcpt).head.size();
        }
        std::chrono::duration<double> s = std::chrono::steady_clock::now() - t0;
        std::printf("%.3f\n", s.count());
        return total > 0 ? mta::exit_ok : mta::exit_temp;
      });
}
