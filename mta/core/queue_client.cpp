#include "mta/core/queue_client.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <exception>
#include <optional>

#include "mta/core/exitcodes.h"
#include "mta/core/fdpass.h"
#include "mta/core/process.h"

namespace mta {

std::string queue_status_text(int status, std::string_view custom) {
  if (!WIFEXITED(status)) return "Zqq crashed (#4.3.0)";
  int code = WEXITSTATUS(status);
  switch (code) {
    case 0: return "";
    case 11: case 115: return "Denvelope address too long for qq (#5.1.3)";
    case 31: return "Dmail server permanently rejected message (#5.3.0)";
    case 51: return "Zqq out of memory (#4.3.0)";
    case 52: return "Zqq timeout (#4.3.0)";
    case 53: return "Zqq write error or disk full (#4.3.0)";
    case 54: return "Zqq read error (#4.3.0)";
    case 55: return "Zqq unable to read configuration (#4.3.0)";
    case 56: return "Zqq trouble making network connection (#4.3.0)";
    case 61: return "Zqq trouble in home directory (#4.3.0)";
    case 62: case 63: case 64: case 65: case 66: return "Zqq trouble creating files in queue (#4.3.0)";
    case 71: return "Zmail server temporarily rejected message (#4.3.0)";
    case 72: return "Zconnection to mail server timed out (#4.4.1)";
    case 73: return "Zconnection to mail server rejected (#4.4.1)";
    case 74: return "Zcommunication with mail server failed (#4.4.2)";
    case 81: case 91: return "Zqq internal bug (#4.3.0)";
    case 82:
      if (custom.size() > 2 && (custom[0] == 'D' || custom[0] == 'Z')) return std::string(custom);
      return "Zqq temporary problem (#4.3.0)";
    case process::exec_failed_status: return "Zunable to exec qq (#4.3.0)";
    default:
      if (code >= 11 && code <= 40) return "Dqq permanent problem (#5.3.0)";
      return "Zqq temporary problem (#4.3.0)";
  }
}

namespace {

// $QMAILQUEUE when it names a program, else nullptr.
const char* custom_queue() {
  const char* qq = std::getenv("QMAILQUEUE");
  return qq && *qq ? qq : nullptr;
}

std::string queue_program() {
  const char* qq = custom_queue();
  return qq ? qq : "bin/qmail-queue";
}

// next_byte - the server's next byte (greeting or verdict); nullopt when it
// has gone or the socket failed.
std::optional<char> next_byte(int socket) {
  try {
    if (auto r = fdpass::receive(socket, 0)) return r->tag;
  } catch (const MailError&) {
  }
  return std::nullopt;
}

}  // namespace

QueueServer::QueueServer(const Home& home) : home_(home), available_(!custom_queue()) {}

QueueServer::~QueueServer() {
  if (pid_ > 0) {
    try {
      stop();
    } catch (...) {
    }
  }
}

// start - spawns qmail-queue --serve and waits for its greeting. A queue
// program that does not greet in time is ended, and the server is not
// used again; nothing was handed to it, so nothing is lost.
void QueueServer::start() {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == -1)
    throw_errno("unable to create queue socket");
  io::Fd ours(pair[0]), theirs(pair[1]);
  // fd 1 is /dev/null, never our own fd 1 (under tcpserver the client's
  // connection), whatever the program on the other side does with it.
  io::Fd null = io::open_or_throw("/dev/null", O_RDONLY | O_CLOEXEC);
  process::SpawnOptions opts;
  opts.fds = {{0, theirs.get()}, {1, null.get()}};
  opts.chdir = home_.root;
  opts.chdir_failed_status = 61;
  pid_ = process::spawn({queue_program(), "--serve"}, opts);
  socket_ = std::move(ours);
  if (greeted()) return;
  // End of input on its fd 0, end of input on its fd 1: a queue program in
  // its per-message mode sees an empty message and queues nothing. (Killed,
  // it could leave a partial file in mess/ for qmail-clean.)
  stop();
  available_ = false;
  warn(program_invocation_short_name,
       "qmail-queue --serve did not greet; starting qmail-queue for every message");
}

// greeted - whether the greeting came within greeting_timeout.
bool QueueServer::greeted() {
  pollfd p{socket_.get(), POLLIN, 0};
  int r;
  do r = ::poll(&p, 1, static_cast<int>(greeting_timeout.count()));
  while (r == -1 && errno == EINTR);
  return r == 1 && next_byte(socket_.get()) == queue_protocol::greeting;
}

int QueueServer::stop() {
  socket_.reset();  // EOF: the server returns from its loop
  const int status = process::wait_for(pid_);
  pid_ = -1;
  return status;
}

bool QueueServer::ready() {
  if (available_ && pid_ <= 0) start();
  return available_;
}

pid_t QueueServer::submit(int message_fd, int envelope_fd) {
  if (!ready()) throw TempError("qmail-queue --serve is not available");
  const int fds[] = {message_fd, envelope_fd};
  try {
    fdpass::send(socket_.get(), queue_protocol::request, fds);
  } catch (const MailError&) {
    stop();  // it died between two messages: one more try with a new one
    if (!ready()) throw TempError("qmail-queue --serve is not available");
    fdpass::send(socket_.get(), queue_protocol::request, fds);
  }
  return pid_;
}

int QueueServer::verdict() {
  if (auto code = next_byte(socket_.get())) return static_cast<unsigned char>(*code) << 8;  // as WEXITSTATUS reads it
  const int status = stop();
  // An exit 0 without an answer is no success: the message was not confirmed.
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? (81 << 8) : status;
}

QueueClient::QueueClient(const Home& home, QueueServer* server) {
  // A dead queue program must not kill us with SIGPIPE: its exit code says why.
  ::signal(SIGPIPE, SIG_IGN);
  auto [msg_r, msg_w] = process::make_pipe();
  auto [env_r, env_w] = process::make_pipe();
  if (server && server->ready()) {
    pid_ = server->submit(msg_r.get(), env_r.get());
    server_ = server;
  } else {
    auto [err_r, err_w] = process::make_pipe();
    process::SpawnOptions opts;
    opts.fds = {{0, msg_r.get()}, {1, env_r.get()}, {6, err_w.get()}};
    opts.chdir = home.root;
    opts.chdir_failed_status = 61;  // qmail.c: "qq trouble in home directory"
    pid_ = process::spawn({queue_program()}, opts);
    error_fd_ = std::move(err_r);
  }
  message_fd_ = std::move(msg_w);
  envelope_fd_ = std::move(env_w);
  writer_ = std::make_unique<io::Writer>(message_fd_.get(), 65536);
}

QueueClient::~QueueClient() {
  if (!finished_ && pid_ > 0) {
    // Abandoned (an exception on the way): closing the pipes makes the queue
    // program see a short envelope and exit 54 without queueing.
    message_fd_.reset();
    envelope_fd_.reset();
    error_fd_.reset();
    try {
      // A server answers (54) and goes on; its answer must be read so that
      // the next message's is not mistaken for it.
      if (server_)
        server_->verdict();
      else
        process::wait_for(pid_);
    } catch (...) {
    }
  }
}

// flush_message - closes the message pipe; false when a write failed.
bool QueueClient::flush_message() {
  bool write_failed = false;
  try {
    writer_->flush();
  } catch (const MailError&) {
    write_failed = true;
  }
  message_fd_.reset();
  return !write_failed;
}

// collect - the verdict: a server's answer, or the fd-6 text and the exit
// status of the queue program started for this message; mapped to a text.
QueueResult QueueClient::collect(bool write_failed) {
  envelope_fd_.reset();
  QueueResult result;
  std::string custom;
  if (server_) {
    result.wait_status = server_->verdict();
  } else {
    {
      io::Reader r(error_fd_.get());
      std::string chunk(256, '\0');
      std::size_t n = r.read(chunk.data(), 255);
      custom.assign(chunk.data(), n);
    }
    error_fd_.reset();
    result.wait_status = process::wait_for(pid_);
  }
  result.text = queue_status_text(result.wait_status, custom);
  // qmail.c: a caller-side write error turns success into a read error.
  if (result.ok() && write_failed) result.text = "Zqq read error (#4.3.0)";
  return result;
}

QueueResult QueueClient::finish(const Envelope& env) {
  finished_ = true;
  bool write_failed = !flush_message();
  if (!write_failed) {
    try {
      io::write_all(envelope_fd_.get(), format_envelope(env));
    } catch (const MailError&) {
      write_failed = true;
    }
  }
  return collect(write_failed);
}

QueueResult QueueClient::finish(std::string_view sender,
                                const std::function<void(const RecipientSink&)>& recipients,
                                const std::function<void()>& meanwhile) {
  return send_envelope(
      sender,
      [&recipients](io::Writer& env) {
        recipients([&env](std::string_view rcpt) {
          if (env.failed()) return;
          env.put('T');
          env.write(rcpt);
          env.put('\0');
        });
      },
      meanwhile, 65536);
}

QueueResult QueueClient::finish_records(std::string_view sender,
                                        const std::function<void(const RecordSink&)>& records,
                                        const std::function<void()>& meanwhile) {
  return send_envelope(
      sender,
      [&records](io::Writer& env) {
        records([&env](std::string_view run) {
          if (!env.failed()) env.write(run);
        });
      },
      // Runs of 4 KB and more go to the pipe as they are, not through the buffer.
      meanwhile, 4096);
}

// send_envelope - F sender, the T records written by `recipients`, the
// closing NUL; then meanwhile (if any) and the queue program's verdict.
QueueResult QueueClient::send_envelope(std::string_view sender, const std::function<void(io::Writer&)>& recipients,
                                       const std::function<void()>& meanwhile, std::size_t bufsize) {
  bool write_failed = !flush_message();
  if (!write_failed) {
    // A dead queue program makes every write fail (EPIPE, SIGPIPE ignored):
    // the Writer remembers the first error and the walk over the recipients
    // stops writing, though it runs to the end (the sink cannot stop it).
    io::Writer env(envelope_fd_.get(), bufsize);
    env.put('F');
    env.write(sender);
    env.put('\0');
    recipients(env);
    env.put('\0');
    try {
      env.flush();
    } catch (const MailError&) {
      write_failed = true;
    }
  }
  finished_ = true;
  if (!meanwhile) return collect(write_failed);
  envelope_fd_.reset();  // EOF on fd 1: the queue program commits now
  std::exception_ptr failure;
  try {
    meanwhile();
  } catch (...) {
    failure = std::current_exception();
  }
  QueueResult result = collect(write_failed);
  if (failure) std::rethrow_exception(failure);
  return result;
}

}  // namespace mta
