// ezmlm-split — hand (un)subscribe requests to the sublist that serves the
// address, by domain and hash (DIR/split, see ezmlm-split(1)).
//
// From the manager (-d, the default): DEFAULT "subscribe-box=dom" whose
// address a rule maps to another list is forwarded, with DTLINE on top,
// from local-return-@host to sub-subscribe-box=dom@subhost; exit 99 (done,
// skip the rest of the command file). Anything else: exit 0. -D reads
// addresses on stdin and prints "list@host: address" for each.
// Exit codes: 0, 99, 100 (bad SENDER, no DTLINE, address without '@'),
// 111 (unreadable split file, qmail-queue trouble).
#include <unistd.h>

#include <iostream>

#include "ezmlm/lib/env.h"
#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/options.h"
#include "ezmlm/lib/sender.h"
#include "ezmlm/lib/split.h"
#include "mta/core/dotqmail.h"
#include "mta/core/io.h"

namespace {
using mta::cat;

int run(int argc, char** argv) {
  auto cl = ezmlm::parse_command_line(argc, argv, "dDvV", "ezmlm");
  if (cl.operands.empty() || cl.operands.size() > 2) throw mta::UsageError("");
  bool manager = cl.last_of("dD", 'd') == 'd';
  ezmlm::Env env = ezmlm::Env::from_environ();
  ezmlm::ListDir dir(cl.operands[0], env);
  std::string split_name = cl.operands.size() > 1 ? cl.operands[1] : "split";
  std::filesystem::path split_path = split_name[0] == '/' ? std::filesystem::path(split_name) : dir.path() / split_name;
  std::string outhost = dir.outhost(), outlocal = dir.outlocal();

  // No split file means no sublists (ezmlm-idx 170): every request stays
  // with this list. ezmlm-make's manager runs ezmlm-split on every list,
  // most of which never have one. Unreadable (not absent) throws TempError.
  auto rules = [&]() { return mta::io::read_file(split_path).value_or(""); };

  if (!manager) {
    std::string text = rules();
    mta::io::Reader in(0);
    mta::io::Writer out(1);
    std::string line;
    while (in.getline(line) != mta::io::Reader::Got::nothing) {
      if (line.empty() || line[0] == '#') continue;
      auto sub = ezmlm::split::find_sublist(text, line, outhost, split_name);
      out << (sub ? *sub : cat(outlocal, "@", outhost)) << ": " << line << "\n";
    }
    out.flush();
    return 0;
  }

  std::string sender = ezmlm::checked_sender(dir);
  if (sender.find('@') == std::string::npos) throw mta::PermError(dir.message("ERR_ANONYMOUS"), "");
  if (!env.deflt) throw mta::PermError(dir.message("ERR_NODEFAULT"), "");
  auto req = ezmlm::split::parse_default(*env.deflt, sender);
  if (!ezmlm::split::is_split_action(req.action)) return 0;  // not for us
  auto sub = ezmlm::split::find_sublist(rules(), req.target, outhost, split_name);
  if (!sub) return 0;
  if (!env.dtline) throw mta::PermError(dir.message("ERR_NODTLINE"), "");

  mta::Envelope envelope;
  envelope.sender = cat(outlocal, "-return-@", outhost);
  envelope.recipients.push_back(ezmlm::split::forward_address(*sub, req.action, req.target));
  auto fw = mta::dotqmail::queue_forward(mta::qmail_home(), 0, *env.dtline, envelope);
  if (!fw.result.ok())
    throw mta::TempError(cat(dir.message("ERR_TMP_QMAIL_QUEUE"), ": ", fw.result.reason()), "");
  std::cerr << "ezmlm-split: info: qp " << fw.qp << "\n";
  return mta::exit_stop;
}
}  // namespace

int main(int argc, char** argv) {
  return mta::run_main({"ezmlm-split", "ezmlm-split [-dD] dir [splitfile]",
                        "forward (un)subscribe requests to the sublist serving the address"},
                       argc, argv, run);
}
