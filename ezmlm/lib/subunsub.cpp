#include "ezmlm/lib/subunsub.h"

#include <sys/stat.h>
#include <unistd.h>

#include <iostream>

#include "ezmlm/lib/tools.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"

namespace ezmlm {

namespace {
class Progress {
 public:
  Progress(bool subscribe) : on_(::isatty(2) == 1), verb_(subscribe ? "subscribed" : "unsubscribed") {}
  void read(unsigned long n) {
    if (on_ && n % 10000 == 0) std::cerr << "\r" << prog() << ": info: " << n << " addresses read" << std::flush;
  }
  void done(unsigned long read, unsigned long changed) {
    if (on_ && read >= 10000)
      std::cerr << "\r" << prog() << ": info: " << read << " addresses read, " << changed << " " << verb_ << "\n";
  }

 private:
  std::string_view prog() const { return verb_[0] == 's' ? "ezmlm-sub" : "ezmlm-unsub"; }
  bool on_;
  std::string_view verb_;
};
}  // namespace

int subunsub_main(bool subscribe, int argc, char** argv) {
  ::umask(022);  // as ezmlm-idx: the db files are readable by the delivery user
  CommandLine cl = parse_command_line(argc, argv, "h:HmMnNvVS:t:");
  if (cl.operands.empty()) throw mta::UsageError("");
  ListDir dir(cl.operands[0]);
  std::size_t next = 1;
  std::string subdir;
  if (next < cl.operands.size() && cl.operands[next].find('@') == std::string::npos)
    subdir = cl.operands[next++];
  StoreOptions options = store_options(cl);
  auto store = open_store(dir, subdir, options);
  std::string tag = cl.last('t').value_or("manual");
  bool with_names = cl.last_of("nN", 'N') == 'n';

  auto apply = [&](const std::vector<Subscription>& batch) {
    return subscribe ? store->add_batch(batch, tag) : store->remove_batch(batch, tag);
  };

  if (next < cl.operands.size()) {
    std::vector<Subscription> batch;
    for (; next < cl.operands.size(); ++next) {
      Subscription s{cl.operands[next], ""};
      if (with_names && next + 1 < cl.operands.size()) s.comment = cl.operands[++next];
      batch.push_back(std::move(s));
    }
    apply(batch);
    return mta::exit_ok;
  }

  // Bulk import from stdin, batch by batch.
  Progress progress(subscribe);
  mta::io::Reader in(0);
  std::vector<Subscription> batch;
  std::string line;
  unsigned long read = 0, changed = 0;
  for (;;) {
    auto got = in.getline(line);
    if (got == mta::io::Reader::Got::nothing) break;
    if (auto s = parse_import_line(line, with_names)) {
      batch.push_back(std::move(*s));
      progress.read(++read);
      if (batch.size() >= import_batch_size) {
        changed += apply(batch);
        batch.clear();
      }
    }
  }
  if (!batch.empty()) changed += apply(batch);
  progress.done(read, changed);
  return mta::exit_ok;
}

}  // namespace ezmlm
