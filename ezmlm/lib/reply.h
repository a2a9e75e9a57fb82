// ezmlm/lib/reply.h — the mail a list responder sends (ezmlm.md 3.1).
//
// ezmlm-manage's replies, ezmlm-warn's warnings and probes, ezmlm-store's
// moderation requests, ezmlm-clean's notices and ezmlm-get's answers all
// have one shape, built here:
//
//   Mailing-List: <TXT_MAILING_LIST>            (always)
//   List-ID: <DIR/listid>                       (when the file exists)
//   List-Help/List-Post/List-Subscribe          (list_headers: manage, get)
//   Date, Message-ID <unixtime.pid.ezmlm@outhost>, From, To
//   Delivered-To: responder for <l>@<host>      (responder_line)
//   the request's Delivered-To:/Received: lines (copy_trace, in order)
//   MIME-Version: 1.0
//   Content-Type: text/plain; charset=X         (or multipart/mixed; boundary=
//                                                makehash(message-id) when the
//                                                charset has :Q/:B or a
//                                                message is attached as a part)
//   Reply-To                                    (optional)
//   extra lines (List-Unsubscribe on a welcome) (in order given)
//   Subject
//
// That order is ezmlm-manage's, which existing lists' tests check byte for
// byte (ezmlm.md 8, 510-514). The body is the text files rendered with the
// list's flags and the reply's tags (text()), then text/bottom and a copy
// of the request: "Return-Path: <sender>", its header, and its first
// `copylines` body lines (bottom(); skipped with omitbottom or -B). When
// the charset asks for :Q or :B, the text becomes a quoted-printable or
// base64 text/plain part and the request copy a message/rfc822 part.
//
// send() hands the mail to qmail-queue (mta::QueueClient: $QMAILQUEUE or
// <QMAILHOME>/bin/qmail-queue) with the given envelope and returns the qp
// (queue program pid); TempError/PermError when qmail-queue refuses.
//
// must_not_answer() is the loop rule every responder applies before it
// replies (issue 7): mail with Auto-Submitted other than "no", Precedence
// bulk/junk/list, List-* or Mailing-List/X-Mailing-List headers, or from an
// empty, "#@[]" or MAILER-DAEMON sender is automatic, and answering it can
// start a mail loop or a flood.
#pragma once

#include <sys/types.h>

#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ezmlm/lib/listdir.h"
#include "ezmlm/lib/texts.h"
#include "mta/core/io.h"
#include "mta/core/message.h"

namespace ezmlm {

// Why a message must not be answered; none when it may.
enum class LoopReason { none, bounce_sender, daemon_sender, auto_submitted, precedence, mailing_list, list_header };

LoopReason loop_reason(const mta::message::Header& header, std::string_view sender);
// "automatic mail (Auto-Submitted: auto-replied)"-style text for an info line.
std::string loop_reason_text(LoopReason reason);
inline bool must_not_answer(const mta::message::Header& header, std::string_view sender) {
  return loop_reason(header, sender) != LoopReason::none;
}

// The request being answered: its header, envelope sender and the first
// copylines lines of its body (read by read_request).
struct Request {
  mta::message::Header header;
  std::string sender;                    // the Return-Path to print (as received)
  std::vector<std::string> body_lines;   // each with its '\n'
};

// Reads the header and up to `copylines` body lines; the rest stays in `in`.
Request read_request(mta::io::Reader& in, std::string sender, unsigned long copylines);

// DIR/copylines as a number (0 when absent or not a number).
unsigned long copylines(const ListDir& dir);

class Reply {
 public:
  // prog: the program name for "-a" info lines ("ezmlm-manage").
  Reply(const ListDir& dir, std::string prog);

  std::string from;
  std::string to;
  std::string subject;
  std::optional<std::string> reply_to;
  std::vector<std::pair<std::string, std::string>> extra;  // name, value: after Reply-To
  bool list_headers = true;      // List-Help, List-Post, List-Subscribe
  std::string list_local;        // <l> of those and of Delivered-To (default outlocal)
  bool responder_line = true;    // Delivered-To: responder for <l>@host
  bool copy_trace = true;        // the request's Delivered-To/Received lines
  bool verbose = false;          // -a: "<prog>: info: sending <text>" on stderr
  TagValues tags;                // dir.list_tags() to start with

  // Renders text/<name> (list flags, tags) onto the body.
  void text(std::string_view name);
  // Appends literal body text.
  void raw(std::string_view s);
  // text/bottom and the request copy (or nothing when omit).
  void bottom(const Request& request, bool omit);
  // Takes the request's Delivered-To/Received lines for the header (also
  // done by bottom() and request_copy(); call it when the bottom is omitted).
  void trace(const Request& request);
  // Only the request copy (what ezmlm prints after a text that replaces
  // bottom, such as mod-sub).
  void request_copy(const Request& request);
  // A message to carry after the text: as a message/rfc822 part when
  // as_part, else appended after a blank line. `write` streams it.
  void attach(std::function<void(mta::io::Writer&)> write, bool as_part);

  // The whole mail (for tests and for senders that need the text).
  std::string compose(std::time_t now, pid_t pid) const;
  // Composes and queues it. Returns the qp.
  pid_t send(std::string_view envelope_sender, const std::vector<std::string>& recipients,
             std::time_t now) const;

  const std::string& body() const { return body_; }

 private:
  void write(mta::io::Writer& out, std::time_t now, pid_t pid) const;
  const ListDir& dir_;
  std::string prog_;
  std::string charset_;
  char encoding_ = 0;
  std::string body_;           // the text part
  std::string copy_;           // the request copy ("" when none)
  std::string trace_;          // the request's Delivered-To/Received fields
  bool has_copy_ = false;
  std::function<void(mta::io::Writer&)> attachment_;
  bool attachment_part_ = false;
};

}  // namespace ezmlm
