#include "ezmlm/lib/reply.h"

#include <unistd.h>

#include <iostream>

#include "ezmlm/lib/cookie.h"
#include "ezmlm/lib/post_mime.h"
#include "mta/core/address.h"
#include "mta/core/date.h"
#include "mta/core/exitcodes.h"
#include "mta/core/paths.h"
#include "mta/core/queue_client.h"
#include "mta/core/text.h"

namespace ezmlm {

namespace {

using mta::address::iequals;

std::string first_word_lower(std::string_view value) {
  std::string v = mta::message::unfold(value);
  std::string_view t = mta::text::trim(v);
  auto end = t.find_first_of(" \t;(");
  return mta::address::ascii_lower(t.substr(0, end));
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

}  // namespace

LoopReason loop_reason(const mta::message::Header& header, std::string_view sender) {
  if (sender.empty() || sender == "#@[]") return LoopReason::bounce_sender;
  auto at = sender.rfind('@');
  std::string_view box = sender.substr(0, at);
  if (iequals(box, "mailer-daemon")) return LoopReason::daemon_sender;
  for (const auto& f : header.fields) {
    const std::string& n = f.name;
    if (iequals(n, "auto-submitted")) {
      if (first_word_lower(f.value()) != "no") return LoopReason::auto_submitted;
    } else if (iequals(n, "precedence")) {
      std::string p = first_word_lower(f.value());
      if (p == "bulk" || p == "junk" || p == "list") return LoopReason::precedence;
    } else if (iequals(n, "mailing-list") || iequals(n, "x-mailing-list")) {
      return LoopReason::mailing_list;
    } else if (starts_with_ci(n, "list-")) {
      return LoopReason::list_header;
    }
  }
  return LoopReason::none;
}

std::string loop_reason_text(LoopReason reason) {
  switch (reason) {
    case LoopReason::bounce_sender: return "bounce message (empty sender)";
    case LoopReason::daemon_sender: return "mail from MAILER-DAEMON";
    case LoopReason::auto_submitted: return "automatic mail (Auto-Submitted)";
    case LoopReason::precedence: return "bulk mail (Precedence)";
    case LoopReason::mailing_list: return "mail from a mailing list (Mailing-List)";
    case LoopReason::list_header: return "mail from a mailing list (List-* header)";
    case LoopReason::none: break;
  }
  return "";
}

Request read_request(mta::io::Reader& in, std::string sender, unsigned long copylines) {
  Request r;
  r.sender = std::move(sender);
  r.header = mta::message::read_header(in);
  if (copylines == 0) return r;
  std::string pending = r.header.body_start;
  std::string line;
  while (r.body_lines.size() < copylines) {
    if (!pending.empty()) {
      line = std::move(pending);
      pending.clear();
      // body_start is one whole line (or a partial last line).
    } else {
      line.clear();
      try {
        if (in.getline(line, '\n', 64 * 1024) == mta::io::Reader::Got::nothing) break;
      } catch (const mta::io::LineTooLong&) {
        break;  // a quote of the request, not the request: stop at a monster line
      }
    }
    if (!line.empty() && line.back() != '\n') line += '\n';
    r.body_lines.push_back(line);
  }
  return r;
}

unsigned long copylines(const ListDir& dir) { return dir.number("copylines").value_or(0); }

Reply::Reply(const ListDir& dir, std::string prog)
    : list_local(dir.outlocal()), tags(dir.list_tags()), dir_(dir), prog_(std::move(prog)) {
  charset_ = dir.charset_name();
  encoding_ = dir.charset_encoding();
}

void Reply::text(std::string_view name) {
  if (verbose) std::cerr << prog_ << ": info: sending " << name << "\n";
  body_ += dir_.render(name, tags);
}

void Reply::raw(std::string_view s) { body_ += s; }

void Reply::trace(const Request& request) {
  trace_.clear();
  for (const auto& f : request.header.fields)
    if (iequals(f.name, "delivered-to") || iequals(f.name, "received")) trace_ += f.raw;
}

void Reply::request_copy(const Request& request) {
  trace(request);
  copy_ = mta::cat("Return-Path: <", request.sender, ">\n", request.header.text());
  if (!request.body_lines.empty()) {
    copy_ += "\n";
    for (const auto& l : request.body_lines) copy_ += l;
  }
  has_copy_ = true;
}

void Reply::bottom(const Request& request, bool omit) {
  if (omit) return;
  text("bottom");
  request_copy(request);
}

void Reply::attach(std::function<void(mta::io::Writer&)> write, bool as_part) {
  attachment_ = std::move(write);
  attachment_part_ = as_part;
}

std::string Reply::compose(std::time_t now, pid_t pid) const {
  std::string out;
  mta::io::Writer w(out);
  write(w, now, pid);
  w.flush();
  return out;
}

void Reply::write(mta::io::Writer& out, std::time_t now, pid_t pid) const {
  const std::string host = dir_.outhost();
  const std::string message_id = mta::cat("<", std::to_string(now), ".", std::to_string(pid), ".ezmlm@", host, ">");
  const bool multipart = encoding_ == 'Q' || encoding_ == 'B' || (attachment_ && attachment_part_);
  const std::string boundary = makehash(message_id);

  out << "Mailing-List: " << dir_.message("TXT_MAILING_LIST", {dir_.outlocal(), host}) << "\n";
  if (auto id = dir_.first_line("listid")) out << "List-ID: " << *id << "\n";
  if (list_headers) {
    out << "List-Help: <mailto:" << list_local << "-help@" << host << ">\n";
    out << "List-Post: <mailto:" << list_local << "@" << host << ">\n";
    out << "List-Subscribe: <mailto:" << list_local << "-subscribe@" << host << ">\n";
  }
  out << "Date: " << mta::date::date822(now) << "\n";
  out << "Message-ID: " << message_id << "\n";
  out << "From: " << from << "\n";
  out << "To: " << to << "\n";
  if (responder_line) out << "Delivered-To: responder for " << list_local << "@" << host << "\n";
  if (copy_trace) out << trace_;
  out << "MIME-Version: 1.0\n";
  if (multipart) {
    out << "Content-Type: multipart/mixed; boundary=" << boundary << "\n";
  } else {
    out << "Content-Type: text/plain; charset=" << charset_ << "\n";
  }
  if (reply_to) out << "Reply-To: " << *reply_to << "\n";
  for (const auto& [name, value] : extra) out << name << ": " << value << "\n";
  out << "Subject: " << subject << "\n";
  out << "\n";

  if (!multipart) {
    out << body_;
    if (has_copy_) out << copy_;
    if (attachment_) {
      out << "\n";
      attachment_(out);
    }
    return;
  }
  out << "\n--" << boundary << "\n";
  out << "Content-Type: text/plain; charset=" << charset_ << "\n";
  if (encoding_ == 'B') {
    out << "Content-Transfer-Encoding: base64\n\n" << post::encode_base64_text(body_);
  } else if (encoding_ == 'Q') {
    out << "Content-Transfer-Encoding: quoted-printable\n\n" << post::encode_qp(body_);
  } else {
    out << "\n" << body_;
  }
  if (has_copy_) {
    out << "\n--" << boundary << "\n";
    out << "Content-Type: message/rfc822\n\n" << copy_;
  }
  if (attachment_) {
    out << "\n--" << boundary << "\n";
    if (attachment_part_) out << "Content-Type: message/rfc822\n\n";
    attachment_(out);
  }
  out << "\n--" << boundary << "--\n";
}

pid_t Reply::send(std::string_view envelope_sender, const std::vector<std::string>& recipients,
                  std::time_t now) const {
  mta::QueueClient queue(mta::qmail_home());
  write(queue.message(), now, ::getpid());
  auto result = queue.finish(envelope_sender, [&recipients](const mta::QueueClient::RecipientSink& rcpt) {
    for (const auto& r : recipients) rcpt(r);
  });
  if (!result.ok()) {
    std::string text(result.reason());
    if (result.permanent()) throw mta::PermError(text, "");
    throw mta::TempError(text, "");
  }
  return queue.qp();
}

}  // namespace ezmlm
