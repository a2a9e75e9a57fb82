// qmail-pw2u — turn a V7 passwd file into users/assign text (qmail-pw2u(8)).
//
// Reads passwd on stdin, the optional files include, exclude, mailnames,
// subusers and append from QH/users, and prints assign text ending in ".".
// Exit 0; 111 for the fatal cases (missing alias account, a subuser of an
// unknown user, -h and a missing home, unreadable files); 100 for a bad option.
#include <unistd.h>

#include "mta/core/cli.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/paths.h"
#include "mta/local/home_owner.h"
#include "mta/local/users.h"

int main(int argc, char** argv) {
  return mta::run_main(
      {"qmail-pw2u", "qmail-pw2u [-/ohHuUC] [-c char]", "Print users/assign text for a passwd file."}, argc,
      argv, [](int argc, char** argv) {
        namespace po = mta::cli::po;
        using Many = std::vector<std::string>;
        po::options_description desc;
        desc.add_options()
            (",/", po::value<Many>()->zero_tokens(), "dash -/")
            (",o", po::value<Many>()->zero_tokens(), "skip users with a missing or foreign home")
            (",h", po::value<Many>()->zero_tokens(), "abort on a missing home")
            (",H", po::value<Many>()->zero_tokens(), "no home checks")
            (",u", po::value<Many>()->zero_tokens(), "allow upper case")
            (",U", po::value<Many>()->zero_tokens(), "skip names with upper case")
            (",C", po::value<Many>()->zero_tokens(), "no extension lines")
            (",c", po::value<Many>(), "break character");
        auto p = mta::cli::parse(argc, argv, desc);
        if (!p.positional.empty()) throw mta::UsageError("");
        mta::users::Pw2uOptions o;
        using HC = mta::users::Pw2uOptions::HomeCheck;
        for (const std::string& key : p.order) {
          if (key == "-/") o.dash = "-/";
          if (key == "-o") o.home = HC::skip_bad;
          if (key == "-h") o.home = HC::abort_missing;
          if (key == "-H") o.home = HC::none;
          if (key == "-u") o.allow_upper = true;
          if (key == "-U") o.allow_upper = false;
          if (key == "-C") o.brk = '\0';
          if (key == "-c") {
            std::string c = p.vars["-c"].as<Many>().back();
            o.brk = c.empty() ? '\0' : c[0];
          }
        }
        mta::Home home = mta::qmail_home();
        mta::users::Pw2uFiles files;
        files.include = mta::io::read_file(home.users() / "include");
        files.exclude = mta::io::read_file(home.users() / "exclude");
        files.mailnames = mta::io::read_file(home.users() / "mailnames");
        files.subusers = mta::io::read_file(home.users() / "subusers");
        files.append = mta::io::read_file(home.users() / "append");
        std::string passwd = mta::io::Reader(STDIN_FILENO).read_all();
        std::string out = mta::users::pw2u(passwd, o, files, mta::users::home_owner);
        mta::io::write_all(STDOUT_FILENO, out);
        return mta::exit_ok;
      });
}
