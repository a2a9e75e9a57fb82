// ezmlm-idx — rebuild a list's subject index from its archive.
//
// `ezmlm-idx [-dDF] [-f msg] DIR`: for every complete archived message
// (owner-execute bit set) from 1 (or -f msg) to the number in DIR/num, the
// index entry is made again from its header; each archive/N/index is
// replaced whole (indexn + rename), and DIR/indexed is created. -d takes
// the date from Date: instead of the first Received:. Runs under DIR/lock.
// Exit 0, 100 (usage), 111. See ezmlm-idx(1) and post_archive.h.
#include <fcntl.h>
#include <sys/stat.h>

#include <map>

#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/options.h"
#include "ezmlm/lib/post_archive.h"
#include "mta/core/exitcodes.h"

namespace {

int rebuild(const ezmlm::ListDir& dir, bool date_from_header, unsigned long first) {
  using namespace ezmlm::post;
  mta::io::Fd lockfd = mta::io::open_or_throw(dir.path() / "lock", O_RDWR | O_CREAT, 0644);
  auto lock = mta::io::FileLock::exclusive(lockfd.get(), false);
  Num num = read_num(dir.path()).value_or(Num{});
  std::string prefix;
  if (auto p = dir.lines("prefix"); !p.empty()) prefix = p.front();
  // A full rebuild writes one directory (100 messages) at a time, so the
  // entries in memory stay bounded; -f merges into the existing indexes.
  const bool partial = first > 1;
  std::string entries;
  unsigned long current = first / 100;
  auto flush = [&](unsigned long sub) {
    fs::path d = dir.path() / "archive" / std::to_string(sub);
    std::error_code ec;
    if (partial || !fs::is_directory(d, ec)) return;
    mta::io::Fd fd = mta::io::open_or_throw(d / "indexn", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    mta::io::write_all(fd.get(), entries);
    mta::io::fsync_or_throw(fd.get(), "indexn");
    fd.close();
    if (::rename((d / "indexn").c_str(), (d / "index").c_str()) != 0) mta::throw_errno("unable to move indexn");
    mta::io::fsync_dir(d);
  };
  for (unsigned long n = first; n <= num.number; ++n) {
    if (n / 100 != current) {
      flush(current);
      entries.clear();
      current = n / 100;
    }
    fs::path file = archive_file(dir.path(), n);
    mta::io::Fd fd = mta::io::open_if_exists(file, O_RDONLY);
    if (!fd) continue;
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !(st.st_mode & S_IXUSR)) continue;  // not complete
    mta::io::Reader r(fd.get());
    std::string entry = index_entry_for(n, r, prefix, date_from_header);
    if (partial) update_index(dir.path(), n, entry);
    else entries += entry;
  }
  flush(current);
  mta::io::Fd marker = mta::io::open_or_throw(dir.path() / "indexed", O_WRONLY | O_CREAT, 0644);
  return mta::exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  return mta::run_main(
      {"ezmlm-idx", "ezmlm-idx [-dDF] [-f msg] dir", "rebuild the subject index of a mailing list archive"},
      argc, argv, [](int argc, char** argv) {
        auto cl = ezmlm::parse_command_line(argc, argv, "dDFf:vV");
        if (cl.operands.size() != 1) throw mta::UsageError("");
        unsigned long first = cl.number('f', 1);
        if (first == 0) throw mta::UsageError("-f needs a message number");
        ezmlm::ListDir dir(cl.operands[0]);
        return rebuild(dir, cl.last_of("dD", 'D') == 'd', first);
      });
}
