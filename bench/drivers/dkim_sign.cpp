// dkim-bench-sign — bench/dkim's in-process signer (not installed, not in
// bin/): dkim-bench-sign KEYFILE DOMAIN SELECTOR MESSAGE N signs MESSAGE N
// times the way qmail-remote does (header parse, relaxed body hash in one
// pass, one signature per key) with the key loaded once, and prints the
// seconds taken. The counterpart of dkimpy's dkim.sign() in a loop.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/dkim/sign.h"

int main(int argc, char** argv) {
  return mta::run_main({"dkim-bench-sign", "dkim-bench-sign keyfile domain selector message n",
                        "Sign a message n times in one process and print the seconds (bench/dkim)."},
                       argc, argv, [](int argc, char** argv) {
                         if (argc != 6) throw mta::UsageError("usage: dkim-bench-sign keyfile domain selector message n");
                         auto pem = mta::io::read_file(argv[1]);
                         auto msg = mta::io::read_file(argv[4]);
                         if (!pem || !msg) throw mta::PermError("no such key or message file");
                         long n = std::strtol(argv[5], nullptr, 10);
                         std::vector<mta::dkim::SigningKey> keys;
                         keys.push_back({argv[2], argv[3], mta::dkim::PrivateKey::from_pem(*pem)});
                         mta::dkim::Signer signer(std::move(keys));
                         std::size_t total = 0;
                         auto t0 = std::chrono::steady_clock::now();
                         for (long i = 0; i < n; ++i) {
                           auto in = mta::io::Reader::from_string(*msg);
                           total += signer.sign_stream(in, 1795000000).size();
                         }
                         std::chrono::duration<double> s = std::chrono::steady_clock::now() - t0;
                         std::printf("%.3f\n", s.count());
                         return total > 0 ? mta::exit_ok : mta::exit_temp;
                       });
}
