// oneclick-bench-render — bench/dkim-fanout's in-process measure of what
// per-recipient delivery adds (not installed, not in bin/):
// oneclick-bench-render KEYFILE DOMAIN SELECTOR MESSAGE N renders the marked
// MESSAGE for N recipients and DKIM-signs each copy exactly as qmail-remote
// does (prepare once, body hashed once, render_header + Signer::sign per
// copy, the copy's head built), and prints the seconds taken.
#include <fcntl.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/dkim/canon.h"
#include "mta/dkim/sign.h"
#include "mta/render/oneclick.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"oneclick-bench-render", "oneclick-bench-render keyfile domain selector message n",
       "Render and sign n per-recipient copies in one process and print the seconds (bench/dkim-fanout)."},
      argc, argv, [](int argc, char** argv) {
        if (argc != 6) throw mta::UsageError("usage: oneclick-bench-render keyfile domain selector message n");
        auto pem = mta::io::read_file(argv[1]);
        if (!pem) throw mta::PermError("no such key file");
        long n = std::strtol(argv[5], nullptr, 10);
        std::vector<mta::dkim::SigningKey> keys;
        keys.push_back({argv[2], argv[3], mta::dkim::PrivateKey::from_pem(*pem)});
        mta::dkim::Signer signer(std::move(keys));
        auto t0 = std::chrono::steady_clock::now();
        mta::io::Fd fd = mta::io::open_or_throw(argv[4], O_RDONLY);
        auto p = mta::oneclick::prepare(fd.get(), 0);
        if (!p) throw mta::PermError("the message has no X-Lettershop-Oneclick field");
        ::lseek(fd.get(), p->body_offset, SEEK_SET);
        mta::io::Reader body(fd.get());
        std::string bh = mta::dkim::body_hash(mta::message::Header{}, body, mta::dkim::Canon::relaxed);
        std::size_t total = 0;
        for (long i = 0; i < n; ++i) {
          std::string rcpt = mta::cat("u", std::to_string(i), "@d", std::to_string(i % 5), ".bench-remote.test");
          auto h = mta::oneclick::render_header(*p, rcpt);
          std::string head = mta::cat(signer.sign(h, bh, 1795000000), h.text(), "\n");
          total += head.size();
        }
        std::chrono::duration<double> s = std::chrono::steady_clock::now() - t0;
        std::printf("%.3f\n", s.count());
        return total > 0 ? mta::exit_ok : mta::exit_temp;
      });
}
