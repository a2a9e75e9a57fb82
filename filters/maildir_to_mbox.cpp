// filters/maildir_to_mbox.cpp — see maildir_to_mbox.h.
#include "filters/maildir_to_mbox.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "mta/core/date.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/maildir.h"
#include "mta/core/mbox.h"

namespace filters {

namespace {

using mta::TempError;
using mta::cat;

// qmail's maildir2mbox texts carry no status code: it is run by people, not
// by qmail-local, and nothing parses them.
[[noreturn]] void fail(std::string_view what, int err) {
  throw TempError(cat(what, std::strerror(err)), "");
}

// The reason part of a Writer/Reader error ("unable to write: REASON").
std::string_view reason_of(const mta::MailError& e) {
  std::string_view what = e.what();
  std::size_t colon = what.find(": ");
  return colon == std::string_view::npos ? what : what.substr(colon + 2);
}

// copy_message - one message: From_ line, quoted body, blank line
void copy_message(const mta::maildir::Entry& m, const fs::path& maildir, mta::io::Writer& out) {
  const std::string shown = cat("$MAILDIR/", m.path.lexically_relative(maildir).native());
  mta::io::Fd fd(::open(m.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) fail(cat("unable to read ", shown, ": "), errno);
  try {
    std::string first;
    bool complete = false;
    {
      mta::io::Reader head(fd.get());
      complete = head.getline(first) == mta::io::Reader::Got::line;
    }
    if (::lseek(fd.get(), 0, SEEK_SET) == -1) fail(cat("unable to read ", shown, ": "), errno);
    out.write(mbox_from_line(first, complete, m.mtime));
    mta::io::Reader body(fd.get());
    mta::mbox::copy_quoted(body, out);
    out.put('\n');
  } catch (const TempError& e) {
    if (e.dsn().empty()) throw;  // ours, already worded
    throw TempError(cat("unable to read ", shown, ": ", reason_of(e)), "");
  }
}

}  // namespace

// mbox_from_line - qmail's rule: the Return-Path address, else XXX
std::string mbox_from_line(std::string_view first_line, bool complete, std::time_t mtime) {
  constexpr std::string_view prefix = "Return-Path: <";
  std::string who = "XXX";
  if (complete && first_line.starts_with(prefix)) {
    std::string_view addr = first_line.substr(prefix.size());
    // qmail drops the line's last byte, assuming it is the '>'; we cut at the
    // last '>' instead, so "Return-Path: <a@b>\r" does not give "a@b>".
    if (std::size_t close = addr.rfind('>'); close != std::string_view::npos) addr = addr.substr(0, close);
    if (addr.empty()) {
      who = "MAILER-DAEMON";
    } else {
      who.assign(addr);
      for (char& c : who)
        if (c == ' ' || c == '\t') c = '-';
    }
  }
  return cat("From ", who, " ", mta::date::ctime_style(mtime), "\n");
}

// maildir_to_mbox - scan, lock, copy old + new into MAILTMP, rename, unlink
std::size_t maildir_to_mbox(const MaildirToMbox& job) {
  // Scan first: with nothing new, $MAIL is not even opened.
  mta::maildir::clean_tmp(job.maildir, job.now);
  std::vector<mta::maildir::Entry> messages;
  for (auto& m : mta::maildir::list_messages(job.maildir))
    if (m.mtime != job.now) messages.push_back(std::move(m));  // may still be written to
  if (messages.empty()) return 0;

  // Keep deliveries to $MAIL out while we copy it.
  mta::io::Fd lockfd(::open(job.mail.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0600));
  if (!lockfd) fail(cat("unable to lock ", job.mail.native(), ": "), errno);
  auto lock = mta::io::FileLock::exclusive(lockfd.get(), false);
  if (!lock) fail(cat("unable to lock ", job.mail.native(), ": "), errno);

  mta::io::Fd old(::open(job.mail.c_str(), O_RDONLY | O_CLOEXEC));
  if (!old) fail(cat("unable to read ", job.mail.native(), ": "), errno);
  mta::io::Fd tmp(::open(job.mailtmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!tmp) fail(cat("unable to create ", job.mailtmp.native(), ": "), errno);

  mta::io::Writer out(tmp.get(), 65536);
  std::string buf(65536, '\0');
  for (;;) {
    ssize_t n = ::read(old.get(), buf.data(), buf.size());
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(cat("unable to read ", job.mail.native(), ": "), errno);
    }
    out.write(std::string_view(buf.data(), static_cast<std::size_t>(n)));
  }
  for (const auto& m : messages) copy_message(m, job.maildir, out);

  // The commit: MAILTMP durable, then renamed over MAIL.
  const std::string write_error = cat("unable to write to ", job.mailtmp.native(), ": ");
  try {
    out.flush();
  } catch (const mta::MailError& e) {
    throw TempError(cat(write_error, reason_of(e)), "");
  }
  if (::fsync(tmp.get()) == -1) fail(write_error, errno);
  if (::close(tmp.release()) == -1) fail(write_error, errno);  // NFS reports write errors here
  if (::rename(job.mailtmp.c_str(), job.mail.c_str()) == -1)
    fail(cat("unable to move ", job.mailtmp.native(), " to ", job.mail.native(), ": "), errno);
  fs::path parent = job.mail.parent_path();
  mta::io::fsync_dir(parent.empty() ? fs::path(".") : parent);

  for (const auto& m : messages)
    if (::unlink(m.path.c_str()) == -1)
      mta::warn("maildir2mbox", cat("$MAILDIR/", m.path.lexically_relative(job.maildir).native(),
                                    " will be delivered twice; unable to unlink: ", std::strerror(errno)));
  return messages.size();
}

}  // namespace filters
