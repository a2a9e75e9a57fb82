// filters/maildir_to_mbox.h — maildir2mbox: move a Maildir's messages into an mbox.
//
// The job of qmail's maildir2mbox (reference mta.md 14.3) for people whose
// mail reader wants an mbox: every message in $MAILDIR/new and $MAILDIR/cur
// (dot files skipped, files modified in the current second left for the next
// run, so a delivery in progress is never half-moved), oldest first, is
// appended to $MAIL. The mbox is never written in place: its old contents
// and the new messages go to $MAILTMP, which is fsynced and renamed over
// $MAIL while $MAIL is flock'ed; only then are the Maildir files unlinked.
// A crash before the rename leaves $MAIL untouched; after it, at worst some
// messages are delivered twice (a warning says which).
//
// Each message gets a From_ line from its first line when that is
// "Return-Path: <addr>" ("From addr <ctime of mtime>", "<>" as
// MAILER-DAEMON, spaces and tabs in addr as '-'), else "From XXX <ctime>";
// lines are quoted under mboxrd rules (mbox::copy_quoted), a partial last
// line gets its newline, and an empty line follows each message.
//
// Errors: TempError with qmail's texts and no status code ("unable to read
// $MAILDIR/new/x: ...", "unable to write to T: ...", "unable to move T to
// M: ..."): maildir2mbox exits 111. No protection against two concurrent
// runs, as in qmail; the lock only keeps deliveries to $MAIL out.
#pragma once

#include <cstddef>
#include <ctime>
#include <filesystem>
#include <string>
#include <string_view>

namespace filters {

namespace fs = std::filesystem;

// The From_ line, with its '\n', for a message whose first line is
// first_line (without its '\n'; complete says whether it had one) and whose
// file was last modified at mtime.
std::string mbox_from_line(std::string_view first_line, bool complete, std::time_t mtime);

struct MaildirToMbox {
  fs::path maildir;  // $MAILDIR
  fs::path mail;     // $MAIL
  fs::path mailtmp;  // $MAILTMP, on the same file system as $MAIL
  std::time_t now = 0;
};

// Moves the messages; returns how many. Warnings (unlink failures) go to stderr.
std::size_t maildir_to_mbox(const MaildirToMbox& job);

}  // namespace filters
