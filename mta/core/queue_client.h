// mta/core/queue_client.h — handing a message to qmail-queue.
//
// Everything that creates mail goes through this one client (qmail's qmail.c).
// The queue program is $QMAILQUEUE, else <home>/bin/qmail-queue; it runs with
// its working directory at the home (so a relative $QMAILQUEUE works as in
// qmail), fd 0 = the message, fd 1 = the envelope, fd 6 = an optional
// error-text channel (notqmail's exit 82). The message is streamed first, then
// its pipe is closed and the envelope written.
//
// finish() maps the exit status through the table of qmail-queue(8) to a
// status text that starts with D (permanent) or Z (temporary), exactly the
// strings qmail's callers print; an empty text means queued.
//
// A process that queues many messages (qmail-smtpd serving one connection
// after another) keeps a QueueServer: one "qmail-queue --serve" that stays
// running, to which each QueueClient hands the read ends of its two pipes
// instead of starting a queue program. The pipes, the streaming and the
// verdicts are the same; the start-up of a program per message is gone.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "mta/core/envelope.h"
#include "mta/core/io.h"
#include "mta/core/paths.h"

namespace mta {

struct QueueResult {
  int wait_status = 0;
  std::string text;  // "" when queued, else "D..." or "Z..."
  bool ok() const { return text.empty(); }
  bool permanent() const { return !text.empty() && text[0] == 'D'; }
  std::string_view reason() const { return text.empty() ? text : std::string_view(text).substr(1); }
};

// The D/Z text for a qmail-queue wait status (custom is the fd-6 text).
std::string queue_status_text(int wait_status, std::string_view custom = {});

namespace queue_protocol {
inline constexpr char greeting = '+';  // qmail-queue --serve's first byte
inline constexpr char request = 'Q';   // the tag of a request to it
}

// A qmail-queue --serve, started at the first message and kept until the
// object goes (its socket closes, the server exits and is reaped). Only our
// own bin/qmail-queue speaks the protocol: with $QMAILQUEUE set (a filter
// or another queue program in front of it) available() is false and every
// QueueClient starts the queue program per message, as qmail does. The
// server greets with one byte when it starts; a bin/qmail-queue that does
// not (one kept from an older installation, or a wrapper that drops the
// argument) is given end of input after greeting_timeout, before anything
// was handed to it, and the server is not used again: every message then
// starts the queue program, with a warning on stderr.
// One message at a time: a QueueClient collects its verdict (finish, or its
// destructor when abandoned) before the next QueueClient may use the server.
class QueueServer {
 public:
  explicit QueueServer(const Home& home);
  ~QueueServer();
  QueueServer(const QueueServer&) = delete;
  QueueServer& operator=(const QueueServer&) = delete;

  static constexpr std::chrono::milliseconds greeting_timeout{2000};

  bool available() const { return available_; }
  // Starts the server if it is not running; false when it cannot serve.
  bool ready();

  // Hands one message's read ends over (ready() must have said yes);
  // restarts a server that died since the last message. Returns the
  // server's pid. Throws TempError.
  pid_t submit(int message_fd, int envelope_fd);
  // The verdict on the message submitted last, as a wait(2) status. A
  // server that ended without one is reaped and its own status returned
  // (a crash reads "qq crashed"); the next submit starts a new one.
  int verdict();

 private:
  Home home_;
  bool available_ = false;
  pid_t pid_ = -1;
  io::Fd socket_;

  void start();  // spawns, waits for the greeting; available_ false without one
  bool greeted();
  int stop();  // closes the socket, reaps the server, returns its wait status
};

class QueueClient {
 public:
  // Starts the queue program, or, with a server that is available, hands
  // the message to it. Throws TempError if neither can be done.
  explicit QueueClient(const Home& home, QueueServer* server = nullptr);
  ~QueueClient();
  QueueClient(const QueueClient&) = delete;
  QueueClient& operator=(const QueueClient&) = delete;

  // The message stream; write errors are remembered and reported by finish().
  io::Writer& message() { return *writer_; }
  void put(std::string_view data) { writer_->write(data); }
  pid_t qp() const { return pid_; }

  // Closes the message, sends the envelope, waits. Call once.
  QueueResult finish(const Envelope& env);

  // The same, with the recipients streamed: `recipients` is called once and
  // calls its argument for each recipient address in turn; each "T" record
  // goes through a buffered writer to the envelope pipe as it comes, so a
  // list of a million subscribers is never held in memory. An address longer
  // than envelope_max_address is passed on as is (qmail-queue refuses it
  // with exit 11, which finish maps to a permanent error). Whatever
  // `recipients` throws abandons the queue program (it sees a short envelope
  // and queues nothing) and is rethrown.
  // `meanwhile`, if given, runs once the whole envelope has been sent and
  // its pipe closed (the queue program is committing on its own by then)
  // and before the wait, so that the caller's own fsyncs overlap with the
  // queue program's. Whatever `meanwhile` throws is rethrown after the queue
  // program has been waited for; the message may have been queued.
  using RecipientSink = std::function<void(std::string_view)>;
  QueueResult finish(std::string_view sender,
                     const std::function<void(const RecipientSink&)>& recipients,
                     const std::function<void()>& meanwhile = {});
  // The same with the recipients already in the envelope's form: `records`
  // calls its argument with runs of whole "T" address NUL records (an
  // ezmlm subscriber file holds exactly these), which go to the pipe as
  // they are, in big writes, without a call per recipient.
  using RecordSink = std::function<void(std::string_view)>;
  QueueResult finish_records(std::string_view sender,
                             const std::function<void(const RecordSink&)>& records,
                             const std::function<void()>& meanwhile);

 private:
  pid_t pid_ = -1;
  QueueServer* server_ = nullptr;  // set when the message went to a server
  io::Fd message_fd_, envelope_fd_, error_fd_;
  std::unique_ptr<io::Writer> writer_;
  bool finished_ = false;

  bool flush_message();
  QueueResult collect(bool write_failed);
  QueueResult send_envelope(std::string_view sender, const std::function<void(io::Writer&)>& recipients,
                            const std::function<void()>& meanwhile, std::size_t bufsize);
};

}  // namespace mta
