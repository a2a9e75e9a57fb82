// qmail-remote — send one message to one host by SMTP (reference mta.md 9).
//
// qmail-remote host sender recip [recip ...]: the message on fd 0, the
// reports for qmail-rspawn on fd 1 (per recipient r/h/s, then K/Z/D, each
// ended by NUL). It always exits 0: every outcome is in the reports.
// Runs as qmailr under qmail-rspawn, or by hand. See qmail-remote(8).
#include <signal.h>
#include <unistd.h>

#include <ctime>
#include <memory>
#include <optional>
#include <string>

#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/paths.h"
#include "mta/dkim/sign.h"
#include "mta/render/oneclick.h"
#include "mta/send/bounce.h"
#include "mta/smtp/oneclick_copies.h"
#include "mta/smtp/remote.h"

namespace {

// A marked message that cannot be rendered (a malformed marker): deferred
// with a report of its own, not as a signing problem.
struct RenderFailure {
  std::string what;
};

// per_recipient - a message ezmlm-send marked for one-click rendering
// (oneclick.h): each recipient's copy is rendered, then signed with the
// From: domain's keys (oneclick_copies.h: what the copies share is done
// once). False when the message carries no marker.
bool per_recipient(mta::remote::Job& job, int fd, std::time_t now) {
  off_t start = mta::dkim::rewindable_offset(fd);
  std::optional<mta::oneclick::Prepared> prepared;
  try {
    prepared = mta::oneclick::prepare(fd, start);
  } catch (const mta::MailError& e) {
    throw RenderFailure{e.what()};
  }
  if (!prepared) {
    if (::lseek(fd, start, SEEK_SET) < 0) throw mta::TempError("unable to rewind the message", "4.3.0");
    return false;
  }
  auto copies = std::make_shared<mta::remote::OneclickCopies>(std::move(*prepared), fd,
                                                              mta::qmail_home().control() / "dkim", now);
  job.render = [copies, &job](std::size_t i) { return copies->copy(job.recipients[i]); };
  return true;
}

// verp_batch - the sender is a VERP template "P@H-@[]": qmail-rspawn
// batched deliveries whose senders are its expansions. Each recipient gets
// its own sender (send/bounce.h verp_sender, the expansion qmail-send
// makes) and so a transaction of its own; unless the copies are rendered
// already, each copy is the message with the one signature made above
// (DKIM does not cover the envelope).
void verp_batch(mta::remote::Job& job, int fd, bool rendered) {
  for (const auto& r : job.recipients) job.senders.push_back(mta::send::verp_sender(job.sender, r));
  if (rendered) return;
  off_t start = mta::dkim::rewindable_offset(fd);
  job.render = [prefix = job.prefix, start](std::size_t) { return mta::remote::Copy{prefix, start}; };
}

// defer_all - the one report of a run that delivers nothing: a temporary
// failure for the whole message (qmail-rspawn defers every recipient).
int defer_all(mta::io::Writer& out, const std::string& text) {
  out.write(mta::cat("Z", text, " (#4.3.0)\n"));
  out.put('\0');
  out.flush();
  return mta::exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  return mta::run_main(
      {"qmail-remote", "qmail-remote host sender recip [recip ...]",
       "Send a message to a remote host by SMTP; report to qmail-rspawn on fd 1."},
      argc, argv, [](int argc, char** argv) {
        signal(SIGPIPE, SIG_IGN);  // a vanished peer is a net::Error, not a signal
        mta::io::Writer out(STDOUT_FILENO);
        if (argc < 4) {
          out.write(std::string_view("DI (qmail-remote) was invoked improperly. (#5.3.5)\n\0", 52));
          out.flush();
          return mta::exit_ok;
        }
        mta::remote::Job job{argv[1], argv[2], {argv + 3, argv + argc}, {}, {}, {}};
        try {
          // Signed once per run, after every change the message went through: all recipients get these
          // bytes — unless each recipient's copy is rendered, and then signed, on its own.
          bool rendered = per_recipient(job, STDIN_FILENO, std::time(nullptr));
          if (!rendered) job.prefix = mta::dkim::sign_outbound(mta::qmail_home(), STDIN_FILENO, std::time(nullptr));
          if (mta::send::is_verp_template(job.sender)) verp_batch(job, STDIN_FILENO, rendered);
        } catch (const RenderFailure& e) {
          return defer_all(out, mta::cat("Unable to render the message: ", e.what));
        } catch (const mta::MailError& e) {
          return defer_all(out, mta::cat("Unable to sign the message with DKIM: ", e.what()));
        }
        mta::remote::run(mta::qmail_home(), job, STDIN_FILENO, out);
        return mta::exit_ok;
      });
}
