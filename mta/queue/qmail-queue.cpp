// qmail-queue — queue one message.
//
// Reads the message on fd 0 and the envelope ("F" sender NUL, "T" recipient
// NUL ..., NUL) on fd 1, prepends one Received line, and stores both in
// QH/queue in qmail's format. Runs setuid qmailq on a real system, so it
// trusts nothing from its caller: no arguments, QMAILHOME ignored when
// setuid (mta::qmail_home), nothing from the environment. The commit point
// is the link of intd/<id> into todo/<id>; before it every failure removes
// what was made. Prints nothing: the exit code is the whole answer, from the
// table in qmail-queue(8), which queue::exit_code implements.
//
// "qmail-queue --serve" is the persistent mode of the same program for
// callers that queue many messages (qmail-smtpd's workers): fd 0 is a Unix
// socket on which each message arrives as the read ends of its two pipes,
// and each answer is the exit code byte (enqueue.h, serve()). Same checks,
// same files, same fsyncs; only the start-up per message is gone.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <new>
#include <string_view>

#include "mta/core/exitcodes.h"
#include "mta/core/paths.h"
#include "mta/queue/enqueue.h"

namespace {

using mta::queue::Failure;
using mta::queue::exit_code;

// A qmail-queue that has been stuck for a day gives up without cleaning up:
// qmail-send removes a queue leftover only once it is 36 hours old, so no
// live qmail-queue can lose its files under it.
constexpr unsigned death_seconds = 24 * 60 * 60;

extern "C" void on_alarm(int) { _exit(exit_code(Failure::timeout)); }
extern "C" void on_bug(int) { _exit(exit_code(Failure::internal_bug)); }

void handle(int sig, void (*handler)(int)) {
  struct sigaction sa {};
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sigaction(sig, &sa, nullptr);
}

// SIGPIPE and the job-control and resource signals are ignored (a write
// error is then an error, 53); the crash signals become exit 81.
void set_signals() {
  for (int sig : {SIGPIPE, SIGHUP, SIGINT, SIGQUIT, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ})
    handle(sig, SIG_IGN);
  for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE}) handle(sig, on_bug);
  handle(SIGALRM, on_alarm);
  sigset_t alarm_only;
  sigemptyset(&alarm_only);
  sigaddset(&alarm_only, SIGALRM);
  sigprocmask(SIG_UNBLOCK, &alarm_only, nullptr);  // a caller's mask must not stop the deadline
}

// The argument is checked by hand: a setuid program keeps its command line
// as small as its trust in it. Anything else is a usage error.
enum class Mode { once, serve, usage };
Mode mode_of(int argc, char** argv) {
  if (argc <= 1) return Mode::once;
  if (argc == 2 && std::string_view(argv[1]) == "--serve") return Mode::serve;
  return Mode::usage;
}

}  // namespace

int main(int argc, char** argv) {
  return mta::run_main({"qmail-queue", "qmail-queue", "queue a mail message (fd 0) for the envelope on fd 1"},
                       argc, argv, [](int argc, char** argv) {
    const Mode mode = mode_of(argc, argv);
    if (mode == Mode::usage) throw mta::UsageError("usage: qmail-queue [--serve]");
    umask(033);
    set_signals();
    if (mode == Mode::once) alarm(death_seconds);
    try {
      const mta::Home home = mta::qmail_home();
      const auto who = mta::queue::this_process(home);
      mta::queue::enter_queue(home);
      if (mode == Mode::serve)
        return mta::queue::serve(mta::QueueLayout{}, 0, who,
                                 [](bool on) { alarm(on ? death_seconds : 0); });
      mta::queue::enqueue(mta::QueueLayout{}, 0, 1, who);
      return 0;
    } catch (const mta::queue::Error& e) {
      return exit_code(e.failure());
    } catch (const std::bad_alloc&) {
      return exit_code(Failure::out_of_memory);
    } catch (...) {
      return exit_code(Failure::internal_bug);
    }
  });
}
