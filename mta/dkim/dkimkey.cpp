// dkimkey — make a DKIM key pair and print the DNS TXT record (dkimkey(8)).
//
// dkimkey [-t rsa|ed25519] [-f] [-o file] domain selector: the private key
// goes to QMAILHOME/control/dkim/DOMAIN/SELECTOR.rsa (or .ed25519), or to
// -o file, with mode 0600, written to a temporary name, fsynced and renamed
// (never half a key in place), and given to qmailr when run as root (the
// signer, qmail-remote, runs as qmailr); an existing key is kept unless -f. The TXT
// record for SELECTOR._domainkey.DOMAIN goes to stdout in zone-file form,
// split into strings of at most 255 bytes (RFC 1035 character-strings).
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "mta/core/accounts.h"
#include "mta/core/cli.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/paths.h"
#include "mta/dkim/crypto.h"

namespace {

// txt_strings - "..." "..." pieces of at most 255 bytes.
std::string txt_strings(std::string_view record) {
  std::string out;
  for (std::size_t i = 0; i < record.size(); i += 255) {
    if (i) out += "\n\t";
    out += mta::cat("\"", record.substr(i, 255), "\"");
  }
  return out;
}

bool safe_name(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.find("..") != std::string_view::npos) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  return mta::run_main(
      {"dkimkey", "dkimkey [-t rsa|ed25519] [-f] [-o file] domain selector",
       "Make a DKIM key pair (RSA 2048 or Ed25519), store the private key, print the DNS TXT record."},
      argc, argv, [](int argc, char** argv) {
        namespace po = mta::cli::po;
        po::options_description opts;
        opts.add_options()("type,t", po::value<std::string>(), "")("output,o", po::value<std::string>(), "")("force,f", "");
        auto args = mta::cli::parse(argc, argv, opts, mta::cli::Order::permute);
        if (args.positional.size() != 2) throw mta::UsageError("usage: dkimkey [-t rsa|ed25519] [-f] [-o file] domain selector");
        std::string type = args.vars.count("type") ? args.vars["type"].as<std::string>() : "rsa";
        if (type != "rsa" && type != "ed25519") throw mta::UsageError("key type must be rsa or ed25519");
        std::string domain = args.positional[0], selector = args.positional[1];
        for (auto& c : domain) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (!safe_name(domain) || !safe_name(selector) || selector.find('.') != std::string::npos)
          throw mta::UsageError("domain and selector must be letters, digits, '-', '_' (and '.' in the domain)");

        std::filesystem::path file = args.vars.count("output")
            ? std::filesystem::path(args.vars["output"].as<std::string>())
            : mta::qmail_home().control() / "dkim" / domain / (selector + "." + type);
        if (!args.vars.count("force") && std::filesystem::exists(file))
          throw mta::PermError(mta::cat(file.string(), " exists; use -f to replace it"));

        auto alg = type == "rsa" ? mta::dkim::Algorithm::rsa_sha256 : mta::dkim::Algorithm::ed25519_sha256;
        mta::dkim::PrivateKey key = mta::dkim::PrivateKey::generate(alg);
        std::error_code ec;
        if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
        if (ec) throw mta::TempError(mta::cat("unable to create ", file.parent_path().string(), ": ", ec.message()));
        mta::io::replace_file(file, key.to_pem(), 0600);
        // qmail-remote runs as qmailr and must read the key; nobody else may.
        if (!args.vars.count("output") && ::geteuid() == 0) {
          if (auto qmailr = mta::accounts::lookup(mta::qmail_home(), "qmailr"))
            if (::chown(file.c_str(), qmailr->uid, qmailr->gid) != 0) mta::throw_errno(mta::cat("unable to chown ", file.string()));
        }

        std::string record = mta::cat("v=DKIM1; k=", type, "; p=", key.public_record_value());
        std::cout << selector << "._domainkey." << domain << ". IN TXT ( " << txt_strings(record) << " )\n";
        std::cout.flush();
        if (!std::cout) throw mta::TempError("unable to write the record");
        return mta::exit_ok;
      });
}
