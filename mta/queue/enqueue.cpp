// mta/queue/enqueue.cpp — qmail-queue's injection steps (reference mta.md
// 2.4 A). The order of the system calls is the protocol: each state a crash
// can leave behind (pid file, S2, S3) is one qmail-send and qmail-clean know
// how to remove, and nothing is visible in todo/ before it is complete.
#include "mta/queue/enqueue.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <new>

#include "mta/core/date.h"
#include "mta/core/envelope.h"
#include "mta/core/exitcodes.h"
#include "mta/core/fdpass.h"
#include "mta/core/queue_client.h"

namespace mta::queue {

namespace {

// Big buffers: a message is copied with as few write(2) calls as a pipe
// allows, and the envelope of a large list post still fits in a few writes.
constexpr std::size_t message_buffer_size = 128 * 1024;
constexpr std::size_t envelope_buffer_size = 64 * 1024;
// qmail's pidopen tries pid/<pid>.<time>.1 to .9.
constexpr int pid_file_attempts = 9;
// Files in the queue are 0644 before the umask of 033 (qmail's open_excl).
constexpr mode_t queue_file_mode = 0644;

[[noreturn]] void fail(Failure f, std::string_view what, int err) {
  throw Error(f, cat(what, ": ", std::strerror(err)));
}
[[noreturn]] void fail(Failure f, std::string_view what) { fail(f, what, errno); }

// open(2) of a file that must not exist yet; -1 with errno on failure.
int create_exclusive(const fs::path& path) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, queue_file_mode);
}

// io::write_all for the copy loop, with its errors classified as Failure::write.
void write_out(int fd, std::string_view data) {
  try {
    io::write_all(fd, data);
  } catch (const MailError& e) {
    throw Error(Failure::write, e.what());
  }
}

// The files of one injection. Until commit() it removes them when it goes
// out of scope: intd before mess (qmail-queue's cleanup order, so that an
// intd file never outlives its message), each truncated first so that a
// failed unlink at least gives the space back.
class Leftovers {
 public:
  Leftovers() = default;
  Leftovers(const Leftovers&) = delete;
  Leftovers& operator=(const Leftovers&) = delete;
  ~Leftovers() {
    if (!committed_) remove();
  }
  void commit() { committed_ = true; }

  io::Fd mess_fd, intd_fd;
  fs::path pid_file, mess, intd;  // empty: not (or no longer) ours to remove

 private:
  void remove() noexcept {
    if (!intd.empty()) {
      if (intd_fd) (void)::ftruncate(intd_fd.get(), 0);
      if (::unlink(intd.c_str()) == -1) return;
    }
    if (!mess.empty()) {
      if (mess_fd) (void)::ftruncate(mess_fd.get(), 0);
      if (::unlink(mess.c_str()) == -1) return;
    }
    if (!pid_file.empty()) ::unlink(pid_file.c_str());
  }
  bool committed_ = false;
};

// create_pid_file - step 2: a fresh inode whose number becomes the id.
std::uint64_t create_pid_file(const QueueLayout& layout, const Identity& who, Leftovers& files) {
  const std::string stem = cat(std::to_string(who.pid), ".", std::to_string(who.started), ".");
  for (int seq = 1; seq <= pid_file_attempts; ++seq) {
    fs::path path = layout.pid_dir() / cat(stem, std::to_string(seq));
    int fd = create_exclusive(path);
    if (fd == -1) {
      if (errno == EEXIST || errno == EINTR) continue;
      fail(Failure::pid, cat("unable to create ", path.string()));
    }
    files.mess_fd.reset(fd);
    files.pid_file = std::move(path);
    struct stat st;
    if (::fstat(fd, &st) == -1) fail(Failure::pid, "unable to stat pid file");
    return static_cast<std::uint64_t>(st.st_ino);
  }
  throw Error(Failure::pid, "pid file names all taken");
}

// copy_message - step 4: our Received line, then fd 0 to EOF, then fsync.
void copy_message(int from, int to, std::string_view head) {
  auto buf = std::make_unique_for_overwrite<char[]>(message_buffer_size);
  // The head goes out with the first block of the message, one write(2) fewer.
  std::size_t fill = head.size() <= message_buffer_size ? head.copy(buf.get(), head.size()) : 0;
  if (fill < head.size()) write_out(to, head);
  std::size_t copied = 0;
  for (;;) {
    if (fill == message_buffer_size) {
      write_out(to, std::string_view(buf.get(), fill));
      fill = 0;
    }
    ssize_t n = ::read(from, buf.get() + fill, message_buffer_size - fill);
    if (n == 0) break;
    if (n == -1) {
      if (errno == EINTR) continue;
      fail(Failure::read, "unable to read message");
    }
    fill += static_cast<std::size_t>(n);
    copied += static_cast<std::size_t>(n);
  }
  // Every producer of mail writes at least a header. Nothing at all on fd 0
  // means the producer failed (a content filter that crashed before writing,
  // a pipe closed early): refuse it as a temporary read error, so that the
  // caller keeps its copy and retries instead of queueing an empty message.
  if (copied == 0) throw Error(Failure::read, "message is empty");
  write_out(to, std::string_view(buf.get(), fill));
  if (::fsync(to) == -1) fail(Failure::write, "unable to fsync message");
}

// write_envelope - step 5: "u", "p", the records of fd 1, then fsync.
void write_envelope(int from, int to, const Identity& who) {
  io::Reader in(from);
  io::Writer out(to, envelope_buffer_size);
  out << envelope_head(who);
  copy_envelope(in, out);
  try {
    out.flush();
  } catch (const MailError& e) {
    throw Error(Failure::write, e.what());
  }
  if (::fsync(to) == -1) fail(Failure::write, "unable to fsync envelope");
}

// pull_trigger - step 7: wake qmail-send. Every failure is harmless (no
// qmail-send listening, fifo full): its 25-minute todo scan is the fallback.
void pull_trigger(const QueueLayout& layout) {
  int fd = ::open(layout.trigger().c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd == -1) return;
  (void)!::write(fd, "", 1);
  ::close(fd);
}

std::optional<uid_t> uid_of(const char* account) {
  const passwd* pw = ::getpwnam(account);
  if (!pw) return std::nullopt;
  return pw->pw_uid;
}

}  // namespace

Accounts lookup_accounts() { return Accounts{uid_of("alias"), uid_of("qmaild"), uid_of("qmails")}; }

Identity this_process(const Home& home) {
  Identity who;
  who.uid = ::getuid();
  who.pid = ::getpid();
  who.started = std::time(nullptr);
  // A sandbox has no system accounts of its own: everyone is "by uid N".
  if (!home.is_sandbox()) who.accounts = lookup_accounts();
  return who;
}

std::string received_line(const Identity& who) {
  std::string how;
  const Accounts& a = who.accounts;
  if (a.alias && who.uid == *a.alias)
    how = "by alias";
  else if (a.qmaild && who.uid == *a.qmaild)
    how = "from network";
  else if (a.qmails && who.uid == *a.qmails)
    how = "for bounce";
  else
    how = cat("by uid ", std::to_string(who.uid));
  return cat("Received: (qmail ", std::to_string(who.pid), " invoked ", how, "); ",
             date::date822(who.started), "\n");
}

std::string envelope_head(const Identity& who) {
  std::string head = cat("u", std::to_string(who.uid));
  head += '\0';
  head += cat("p", std::to_string(who.pid));
  head += '\0';
  return head;
}

void copy_envelope(io::Reader& in, io::Writer& out) {
  try {
    parse_envelope(in, envelope_max_address, [&out](char kind, std::string& addr) {
      // Our extension: a CR or LF would let an address forge a header line in
      // every program that writes it into one (Return-Path, Delivered-To, bounces).
      if (addr.find_first_of("\r\n") != std::string::npos)
        throw Error(Failure::address_has_crlf, "envelope address contains CR or LF");
      out.put(kind);
      out << addr;
      out.put('\0');
    });  // the final extra NUL is not stored
  } catch (const EnvelopeError& e) {
    using Kind = EnvelopeError::Kind;
    const Failure f = e.kind() == Kind::too_long ? Failure::address_too_long
                      : e.kind() == Kind::format ? Failure::envelope_format
                                                 : Failure::read;  // Kind::short_read
    throw Error(f, e.what());
  } catch (const MailError& e) {
    throw Error(Failure::read, e.what());
  }
}

void enter_queue(const Home& home) {
  if (::chdir(home.root.c_str()) == -1) fail(Failure::home, "unable to chdir to home");
  if (::chdir("queue") == -1) fail(Failure::queue_dir, "unable to chdir to queue");
}

std::uint64_t enqueue(const QueueLayout& layout, int message_fd, int envelope_fd,
                      const Identity& who) {
  Leftovers files;

  // Steps 2-3: the pid file's inode names the message; link it into mess/.
  const std::uint64_t id = create_pid_file(layout, who, files);
  fs::path mess = layout.mess(id);
  if (::link(files.pid_file.c_str(), mess.c_str()) == -1)
    fail(Failure::mess, cat("unable to link ", mess.string()));
  files.mess = std::move(mess);
  if (::unlink(files.pid_file.c_str()) == -1) fail(Failure::pid, "unable to remove pid file");
  files.pid_file.clear();

  // Step 4: S2, the message.
  copy_message(message_fd, files.mess_fd.get(), received_line(who));

  // Step 5: S3, the envelope.
  fs::path intd = layout.intd(id);
  int fd = create_exclusive(intd);
  if (fd == -1) fail(Failure::intd, cat("unable to create ", intd.string()));
  files.intd_fd.reset(fd);
  files.intd = std::move(intd);
  write_envelope(envelope_fd, files.intd_fd.get(), who);

  // Step 6: the commit. From here on nothing is removed: the message
  // belongs to qmail-send, which may already be reading it.
  fs::path todo = layout.todo(id);
  if (::link(files.intd.c_str(), todo.c_str()) == -1)
    fail(Failure::todo, cat("unable to link ", todo.string()));
  files.commit();
  // Make the link durable before we say so. A failure here is reported as
  // temporary: the caller may queue the message again, and a duplicate is
  // better than a loss. On a journaling file system this fsync also carries
  // the earlier directory changes (mess/, intd/) to disk.
  try {
    io::fsync_dir(layout.root / "todo");
  } catch (const MailError& e) {
    throw Error(Failure::todo, e.what());
  }

  pull_trigger(layout);
  return id;
}

namespace {

// answer - one byte, the greeting or a verdict; false when the client has gone.
bool answer(int socket, int code) {
  try {
    fdpass::send(socket, static_cast<char>(code), {});
    return true;
  } catch (const MailError&) {
    return false;
  }
}

}  // namespace

int serve(const QueueLayout& layout, int socket, Identity who,
          const std::function<void(bool)>& deadline) {
  // The greeting tells the client that this queue program speaks the
  // protocol; one that does not (an older qmail-queue in bin/) never sends it.
  if (!answer(socket, queue_protocol::greeting)) return 0;
  for (;;) {
    std::optional<fdpass::Received> request;
    try {
      request = fdpass::receive(socket, 2);
    } catch (const MailError&) {
      return exit_code(Failure::internal_bug);
    }
    if (!request) return 0;
    if (request->tag != queue_protocol::request) return exit_code(Failure::internal_bug);
    who.started = std::time(nullptr);
    int code = 0;
    bool fatal = false;
    deadline(true);
    try {
      enqueue(layout, request->fds[0].get(), request->fds[1].get(), who);
    } catch (const Error& e) {
      code = exit_code(e.failure());
    } catch (const std::bad_alloc&) {
      code = exit_code(Failure::out_of_memory);
      fatal = true;
    }
    deadline(false);
    request.reset();  // the pipes are closed before the answer
    if (!answer(socket, code)) return 0;
    if (fatal) return code;
  }
}

}  // namespace mta::queue
