// dkimsign — sign a message: stdin to stdout with DKIM-Signature fields in
// front (dkimsign(1)).
//
// Without options the keys are those qmail-remote uses: control/dkim, for
// the From: domain (every key found signs). With -k keyfile -d domain -s
// selector one explicit key signs. The message is read twice (header and
// body hash, then the copy); stdin that is a pipe is first spooled to an
// unlinked temporary file, so no message is held in memory.
#include <unistd.h>

#include <ctime>

#include "mta/core/cli.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/message.h"
#include "mta/core/paths.h"
#include "mta/dkim/canon.h"
#include "mta/dkim/sign.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"dkimsign", "dkimsign [-k keyfile -d domain -s selector] <message >signed",
       "Sign the message on stdin with DKIM and write it, signature first, to stdout."},
      argc, argv, [](int argc, char** argv) {
        namespace po = mta::cli::po;
        po::options_description opts;
        opts.add_options()("key,k", po::value<std::string>(), "")("domain,d", po::value<std::string>(), "")(
            "selector,s", po::value<std::string>(), "");
        auto args = mta::cli::parse(argc, argv, opts, mta::cli::Order::permute);
        bool explicit_key = args.vars.count("key") || args.vars.count("domain") || args.vars.count("selector");
        if (!args.positional.empty() ||
            (explicit_key && !(args.vars.count("key") && args.vars.count("domain") && args.vars.count("selector"))))
          throw mta::UsageError("usage: dkimsign [-k keyfile -d domain -s selector] <message >signed");

        off_t start = mta::dkim::rewindable_offset(STDIN_FILENO);
        mta::io::Reader in(STDIN_FILENO);
        mta::message::Header header = mta::message::read_header(in);
        std::vector<mta::dkim::SigningKey> keys;
        if (explicit_key) {
          std::string path = args.vars["key"].as<std::string>();
          auto pem = mta::io::read_file(path);
          if (!pem) throw mta::PermError(mta::cat("key file ", path, " does not exist"));
          try {
            keys.push_back({args.vars["domain"].as<std::string>(), args.vars["selector"].as<std::string>(),
                            mta::dkim::PrivateKey::from_pem(*pem)});
          } catch (const mta::dkim::KeyError& e) {
            throw mta::PermError(mta::cat("key file ", path, ": ", e.what()));
          }
        } else {
          std::string domain = mta::dkim::from_domain(header);
          if (domain.empty()) throw mta::PermError("the message has no From: address to choose a key by");
          keys = mta::dkim::load_keys(mta::qmail_home().control() / "dkim", domain);
          if (keys.empty()) throw mta::PermError(mta::cat("no DKIM key for ", domain, " in control/dkim"));
        }
        std::string hash = mta::dkim::body_hash(header, in, mta::dkim::Canon::relaxed);
        std::string fields = mta::dkim::Signer(std::move(keys)).sign(header, hash, std::time(nullptr));

        // The signature, then the message exactly as it came.
        if (::lseek(STDIN_FILENO, start, SEEK_SET) < 0) mta::throw_errno("unable to rewind the message");
        mta::io::Writer out(STDOUT_FILENO, 65536);
        out.write(fields);
        std::string chunk(65536, '\0');
        for (;;) {
          ssize_t n = ::read(STDIN_FILENO, chunk.data(), chunk.size());
          if (n < 0 && errno == EINTR) continue;
          if (n < 0) mta::throw_errno("unable to read the message");
          if (n == 0) break;
          out.write(std::string_view(chunk.data(), static_cast<std::size_t>(n)));
        }
        out.flush();
        return mta::exit_ok;
      });
}
