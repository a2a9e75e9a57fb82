// mta/send/clean.cpp — qmail-clean (see clean.h).
#include "mta/send/clean.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "mta/core/io.h"

namespace mta::send {
namespace {

// unlink_ok - true if path is gone afterwards for a reason we accept.
bool unlink_ok(const fs::path& path) { return ::unlink(path.c_str()) == 0 || errno == ENOENT; }

}  // namespace

char clean_command(const QueueLayout& q, std::string_view command) {
  // qmail's bounds: 7..100 bytes counting the NUL.
  if (command.size() < 6 || command.size() > 99) return 'x';
  std::string_view kind = command.substr(0, 5);
  if (kind != "foop/" && kind != "todo/") return 'x';
  std::uint64_t id = 0;
  if (!parse_queue_id(command.substr(5), id)) return 'x';
  if (!unlink_ok(q.intd(id))) return '!';
  if (!unlink_ok(kind == "foop/" ? q.mess(id) : q.todo(id))) return '!';
  return '+';
}

void sweep_pid(const QueueLayout& q, std::time_t now) {
  const fs::path dir = q.pid_dir();
  DIR* d = ::opendir(dir.c_str());
  if (!d) return;  // nothing to do now; the next sweep tries again
  while (struct dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    fs::path p = dir / std::string(name);
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0 && st.st_atime < now - pid_max_age) ::unlink(p.c_str());
  }
  ::closedir(d);
}

void run_clean(const QueueLayout& q, int in, int out) {
  io::Reader reader(in);
  std::string command;
  unsigned count = 0;
  for (;;) {
    if (count++ % clean_sweep_every == 0) sweep_pid(q, std::time(nullptr));
    if (reader.getline(command, '\0') != io::Reader::Got::line) return;  // EOF: qmail-send is gone
    char answer = clean_command(q, command);
    io::write_all(out, std::string_view(&answer, 1));
  }
}

}  // namespace mta::send
