#include "ezmlm/lib/moderate_flow.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <iostream>

#include "ezmlm/lib/cookie_addr.h"
#include "ezmlm/lib/moderate_comment.h"
#include "ezmlm/lib/options.h"
#include "ezmlm/lib/reply.h"
#include "ezmlm/lib/sender.h"
#include "ezmlm/lib/subdb.h"
#include "mta/core/address.h"
#include "mta/core/exitcodes.h"
#include "mta/core/message.h"

namespace ezmlm::moderate {
namespace {

// A moderator's reply is read up to this much for the comment; the rest is
// drained unread (qmail-local wants its pipe read).
constexpr std::size_t max_reply_bytes = 1u << 20;

std::string list_address(const ListDir& dir) { return mta::cat(dir.outlocal(), "@", dir.outhost()); }

std::string subject_for(const ListDir& dir, std::string_view entry) {
  return mta::cat(dir.message(entry), " ", list_address(dir));
}

// A reply of this queue's kind: no List-Help/Post/Subscribe lines, no
// responder Delivered-To and no copied trace (ezmlm.md 6.1's header set).
Reply bare_reply(const ListDir& dir, std::string prog, std::string from, std::string to, std::string_view subject_entry) {
  Reply reply(dir, std::move(prog));
  reply.list_headers = false;
  reply.responder_line = false;
  reply.copy_trace = false;
  reply.from = std::move(from);
  reply.to = std::move(to);
  reply.subject = subject_for(dir, subject_entry);
  return reply;
}

// "<l>-<verb>-T.PID.H@host".
std::string action_address(const ListDir& dir, std::string_view key, std::string_view verb, const QueueName& name) {
  return mta::cat(dir.outlocal(), "-", verb, "-", moderation_cookie(key, name.time_text, name.pid), "@",
                  dir.outhost());
}

std::string return_address(const ListDir& dir) { return mta::cat(dir.outlocal(), "-return-@", dir.outhost()); }

// Streams a queue file into a mail; header_only stops at its first blank line (-B).
void copy_file(mta::io::Writer& out, const fs::path& path, bool header_only) {
  mta::io::Fd fd = mta::io::open_or_throw(path, O_RDONLY | O_CLOEXEC);
  mta::io::Reader in(fd.get());
  std::string line;
  while (in.getline(line) != mta::io::Reader::Got::nothing) {
    out << line << "\n";
    if (header_only && (line.empty() || line == "\r")) break;
  }
}

// Every address of a db, in store order.
std::vector<std::string> addresses_of(const ListDir& dir, std::string_view subdir) {
  std::vector<std::string> all;
  open_store(dir, subdir)->for_each([&all](std::string_view a) {
    all.emplace_back(a);
    return true;
  });
  return all;
}

// The db of modpost's content, or "mod".
std::string modpost_db(const ListDir& dir) {
  auto content = dir.first_line("modpost");
  if (!content || content->empty()) return "mod";
  return dir.subdir(*content);
}

std::string read_reply(mta::io::Reader& in) {
  std::string text;
  char buf[8192];
  for (std::size_t n; (n = in.read(buf, sizeof buf)) > 0;)
    if (text.size() < max_reply_bytes) text.append(buf, std::min(n, max_reply_bytes - text.size()));
  return text;
}

}  // namespace

// ---------------------------------------------------------------- store ---

bool needs_queue(const ListDir& dir, const StoreOptions& options) {
  return dir.flag('m') || options.confirm.value_or(dir.flag('y'));
}

pid_t store_post(const ListDir& dir, const StoreOptions& options, mta::io::Reader& in, std::time_t now) {
  const bool confirm = options.confirm.value_or(dir.flag('y'));
  const Queue queue = confirm ? Queue::unconfirmed : Queue::pending;
  const std::optional<std::string>& raw_sender = dir.env().sender;
  if (raw_sender && is_bounce_sender(*raw_sender)) throw mta::PermError(dir.message("ERR_BOUNCE"), "");
  const std::string sender = raw_sender ? decode_sender(*raw_sender) : "";

  // Who is a moderator for this post: modpost's db (or mod).
  const std::string approvers = modpost_db(dir);
  const bool is_moderator = !sender.empty() && open_store(dir, approvers)->contains(sender);
  const bool anyone = options.anyone.value_or(!dir.flag('o'));
  if (!is_moderator && !anyone) throw mta::PermError(dir.message("ERR_NO_POST"), "");
  if (confirm && sender.empty()) throw mta::PermError(dir.message("ERR_NOSENDER"), "");

  // Refusals come before anything is written.
  const std::string dtline = delivered_to_line(dir, queue);
  auto header = mta::message::read_header(in);
  for (const auto& f : header.fields) {
    if (f.raw == dtline) throw mta::PermError(dir.message("ERR_LOOPING"), "");
    if (mta::address::iequals(f.name, "mailing-list")) throw mta::PermError(dir.message("ERR_MAILING_LIST"), "");
  }

  const std::string key = read_key(dir);
  DirLock lock(dir, "mod/lock");
  QueueFile file(dir, queue, now);
  mta::io::Writer& out = file.out();
  out << return_path_line(raw_sender.value_or("")) << dtline << header.text();
  if (header.ended_by_blank || header.blank_inserted) out << "\n";
  out << header.body_start;
  char buf[65536];
  for (std::size_t n; (n = in.read(buf, sizeof buf)) > 0;) out.write(std::string_view(buf, n));
  file.commit();

  const std::string yes = action_address(dir, key, confirm ? "confirm" : "accept", file.name());
  const std::string no = action_address(dir, key, confirm ? "discard" : "reject", file.name());
  Reply reply = confirm ? bare_reply(dir, "ezmlm-store", mta::cat(dir.outlocal(), "-owner@", dir.outhost()),
                                     mta::cat("<", sender, ">"), "SUB_CONFIRM_POST")
                        : bare_reply(dir, "ezmlm-store", no,
                                     mta::cat("<", dir.outlocal(), "-moderators@", dir.outhost(), ">"), "SUB_MODERATE");
  reply.reply_to = yes;
  reply.tags.set('A', yes).set('R', no);
  std::string envelope_sender;
  std::vector<std::string> recipients;
  if (confirm) {
    reply.text("post-confirm");
    envelope_sender = no;  // a bounce of the request discards the post
    recipients = {sender};
  } else {
    if (dir.flag('r') && !is_moderator && !sender.empty())
      reply.extra.emplace_back("Cc", confirm_address(dir, key, CookieDb::allow, 't', sender, now));
    reply.text("mod-request");
    envelope_sender = return_address(dir);
    if (is_moderator)
      recipients = {sender};
    else
      recipients = addresses_of(dir, options.self ? "mod" : approvers);
  }
  const fs::path path = file.path();
  const bool body = options.body;
  reply.attach([path, body](mta::io::Writer& w) { copy_file(w, path, !body); }, options.mime);

  if (recipients.empty()) {
    file.remove();
    throw mta::TempError(mta::cat("no moderators in ", (dir.path() / approvers).string()));
  }
  pid_t qp;
  try {
    qp = reply.send(envelope_sender, recipients, now);
  } catch (...) {
    // Nobody was asked: the post must not linger where a moderator could
    // never see it (qmail retries the delivery, which stores it afresh).
    file.remove();
    throw;
  }
  file.mark_sent();
  return qp;
}

// ------------------------------------------------------ moderate/confirm ---

namespace {

std::string_view verb_word(Verb v) {
  switch (v) {
    case Verb::accept: return "accept";
    case Verb::reject: return "reject";
    case Verb::confirm: return "confirm";
    case Verb::discard: return "discard";
  }
  return "";
}

std::optional<Verb> verb_of(std::string_view word) {
  for (Verb v : {Verb::accept, Verb::reject, Verb::confirm, Verb::discard})
    if (mta::address::iequals(word, verb_word(v))) return v;
  return std::nullopt;
}

}  // namespace

ActionRequest parse_action(const ListDir& dir, const std::vector<Verb>& allowed) {
  const Env& env = dir.env();
  if (!env.deflt) throw mta::PermError(dir.message("ERR_NODEFAULT"), "");
  const mta::PermError bad(dir.message("ERR_MOD_COOKIE"), "");
  std::string_view def = *env.deflt;
  std::optional<Verb> verb;
  std::string_view cookie_text;
  // DEFAULT "accept-T.PID.H" (ezmlm-dispatch) ...
  if (std::size_t dash = def.find('-'); dash != std::string_view::npos && (verb = verb_of(def.substr(0, dash)))) {
    cookie_text = def.substr(dash + 1);
  } else {
    // ... or DEFAULT "T.PID.H" with LOCAL "<list>-accept-T.PID.H" (qmail-local).
    if (!env.local) throw mta::PermError(dir.message("ERR_NOLOCAL"), "");
    std::string_view local = *env.local;
    if (local.size() < def.size() + 2 || local.substr(local.size() - def.size()) != def ||
        local[local.size() - def.size() - 1] != '-')
      throw bad;
    std::string_view head = local.substr(0, local.size() - def.size() - 1);
    std::size_t cut = head.rfind('-');
    if (cut == std::string_view::npos) throw bad;
    verb = verb_of(head.substr(cut + 1));
    cookie_text = def;
  }
  if (!verb || std::find(allowed.begin(), allowed.end(), *verb) == allowed.end()) throw bad;
  auto cookie = parse_moderation(cookie_text);
  if (!cookie) throw bad;
  if (check_moderation(read_key(dir), *cookie) != CookieCheck::ok) throw bad;
  auto name = parse_queue_name(mta::cat(cookie->time_text, ".", cookie->extra));
  if (!name) throw bad;
  return {*verb, *name};
}

namespace {

// The poster's notice of a rejected post: text/top, text/mod-reject, the
// moderator's comment, the post.
pid_t send_reject_notice(const ListDir& dir, const fs::path& post, const std::string& poster,
                         const std::optional<std::string>& comment, const ActionOptions& options, std::time_t now) {
  Reply reply = bare_reply(dir, "ezmlm-moderate", mta::cat(dir.outlocal(), "-owner@", dir.outhost()), poster,
                           "SUB_RETURNED_POST");
  reply.reply_to = options.reply_to;
  reply.text("top");
  reply.text("mod-reject");
  if (comment) reply.raw(mta::cat("\n", dir.message("TXT_MOD_COMMENT_START"), "\n", *comment,
                                  dir.message("TXT_MOD_COMMENT_END"), "\n"));
  reply.attach([post](mta::io::Writer& w) { copy_file(w, post, false); }, options.mime);
  return reply.send(return_address(dir), {poster}, now);
}

// accept-/reject- of a post in mod/pending.
//
// Order of an accept, so that a crash at any point never posts twice:
//   1. the accepted stub is written and fsync'ed;
//   2. the command (ezmlm-send) runs on the pending file;
//   3. the pending file is removed.
// A crash after 1 (before or after 2) leaves pending + stub: every later
// accept sees the stub first, answers "already accepted" and only removes
// the leftover pending file. So the post goes out at most once; the price
// is that a crash between 1 and 2 loses it, which the moderator can tell
// from the list archive and which is the lesser evil for a list (a
// duplicate reaches every subscriber). A command that fails (exit 100 or
// 111) removes the stub again, so the moderator's retry, or qmail's retry
// of the delivery, tries again.
// A reject follows the same order with the notice to the poster in step 2.
std::string moderate_pending(const ListDir& dir, const ActionRequest& request, const ActionOptions& options,
                             mta::io::Reader& reply, std::time_t now) {
  DirLock lock(dir, "mod/lock");
  const std::string name = request.name.text();
  const fs::path pending = dir.path() / queue_dir(Queue::pending) / name;
  const fs::path accepted = dir.path() / accepted_dir / name;
  const fs::path rejected = dir.path() / rejected_dir / name;
  const bool accept = request.verb == Verb::accept;

  // A decision already taken: the same one again is fine, the other refused.
  for (bool was_accept : {true, false}) {
    if (!file_exists(was_accept ? accepted : rejected)) continue;
    remove_file(pending);  // left by a crash after the stub (see above)
    std::string text = dir.message(was_accept ? "ERR_MOD_ACCEPTED" : "ERR_MOD_REJECTED");
    if (was_accept != accept) throw mta::PermError(text, "");
    return text;
  }
  if (!file_exists(pending)) throw mta::PermError(dir.message("ERR_MOD_TIMEOUT"), "");

  const std::string poster = stored_sender_of(pending);
  write_stub(dir, accept ? accepted_dir : rejected_dir, name);
  std::string info;
  try {
    if (accept) {
      run_on_file(options.command, pending, poster);
    } else {
      auto comment = extract_comment(read_reply(reply));
      if (!poster.empty()) info = mta::cat("qp ", std::to_string(send_reject_notice(dir, pending, poster, comment, options, now)));
    }
  } catch (...) {
    remove_file(accept ? accepted : rejected);
    throw;
  }
  remove_file(pending);
  return info;
}

// confirm-/discard- of a post in mod/unconfirmed. A confirmed post is first
// renamed to ".confirming.T.PID" (atomic), then handed to the command, then
// removed: a second confirm finds nothing ("I no longer have this
// message") and a crash leaves a file no confirm can take again, which
// ezmlm-clean expires. A failing command renames it back for the retry.
std::string confirm_unconfirmed(const ListDir& dir, const ActionRequest& request, const ActionOptions& options) {
  DirLock lock(dir, "mod/confirmlock");
  const fs::path qdir = dir.path() / queue_dir(Queue::unconfirmed);
  const fs::path post = qdir / request.name.text();
  if (!file_exists(post)) throw mta::PermError(dir.message("ERR_MOD_TIMEOUT"), "");
  if (request.verb == Verb::discard) {
    remove_file(post);
    mta::io::fsync_dir(qdir);
    return "";
  }
  const fs::path taken = qdir / (".confirming." + request.name.text());
  const std::string poster = stored_sender_of(post);
  if (::rename(post.c_str(), taken.c_str()) != 0) mta::throw_errno(mta::cat("unable to rename ", post.string()));
  mta::io::fsync_dir(qdir);
  try {
    run_on_file(options.command, taken, poster);
  } catch (...) {
    ::rename(taken.c_str(), post.c_str());
    throw;
  }
  remove_file(taken);
  return "";
}

}  // namespace

std::string act(const ListDir& dir, const ActionRequest& request, const ActionOptions& options,
                mta::io::Reader& reply, std::time_t now) {
  if (request.verb == Verb::accept || request.verb == Verb::reject)
    return moderate_pending(dir, request, options, reply, now);
  return confirm_unconfirmed(dir, request, options);
}

int action_main(int argc, char** argv, std::string_view prog, const std::vector<Verb>& verbs) {
  auto cl = parse_command_line(argc, argv, "cCmMrRt:T:vV", prog);
  if (cl.operands.empty()) throw mta::UsageError("");
  ListDir dir(cl.operands[0]);
  std::string sender = checked_sender(dir);
  if (sender.find('@') == std::string::npos) throw mta::PermError(dir.message("ERR_ANONYMOUS"), "");

  ActionOptions options;
  std::vector<std::string> send_options;
  for (const auto& o : cl.options) {
    if (o.letter == 'c' || o.letter == 'C' || o.letter == 'r' || o.letter == 'R')
      send_options.push_back(std::string("-") + o.letter);
    if (o.letter == 'm') options.mime = true;
    if (o.letter == 'M') options.mime = false;
    if (o.letter == 't' || o.letter == 'T') options.reply_to = o.value;
  }
  std::vector<std::string> given(cl.operands.begin() + 1, cl.operands.end());
  options.command = accept_command(dir, given, send_options);

  auto request = parse_action(dir, verbs);
  mta::io::Reader in(0);
  std::string info = act(dir, request, options, in, std::time(nullptr));
  if (!info.empty()) std::cerr << prog << ": info: " << info << "\n";
  return 0;
}

// ---------------------------------------------------------------- clean ---

namespace {

struct Entry {
  std::string name;
  struct stat st;
};

std::vector<Entry> entries_of(const fs::path& path) {
  std::vector<Entry> all;
  DIR* d = ::opendir(path.c_str());
  if (!d) {
    if (errno == ENOENT) return all;
    mta::throw_errno(mta::cat("unable to open ", path.string()));
  }
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    Entry entry{name, {}};
    if (::lstat((path / name).c_str(), &entry.st) != 0 || !S_ISREG(entry.st.st_mode)) continue;
    all.push_back(std::move(entry));
  }
  ::closedir(d);
  return all;
}

pid_t send_timeout_notice(const ListDir& dir, const fs::path& post, const std::string& poster, bool mime,
                          std::time_t now) {
  Reply reply = bare_reply(dir, "ezmlm-clean", mta::cat(dir.outlocal(), "-help@", dir.outhost()), poster,
                           "SUB_RETURNED_POST");
  reply.text("top");
  reply.text("mod-timeout");
  reply.attach([post](mta::io::Writer& w) { copy_file(w, post, false); }, mime);
  return reply.send(return_address(dir), {poster}, now);
}

}  // namespace

CleanResult clean(const ListDir& dir, const CleanOptions& options, std::time_t now) {
  const bool returning = options.return_posts.value_or(!file_exists(dir.path() / "noreturnposts"));
  const std::time_t limit = now - mod_timeout(dir);
  CleanResult result;
  DirLock lock(dir, "mod/lock");
  for (std::string_view sub : {queue_dir(Queue::pending), queue_dir(Queue::unconfirmed), accepted_dir, rejected_dir}) {
    const fs::path path = dir.path() / sub;
    bool changed = false;
    for (const auto& e : entries_of(path)) {
      auto name = parse_queue_name(e.name);
      if (!name) {
        // Leftovers of a crashed writer (".tmp.", ".confirming.") expire by age.
        if (e.name[0] == '.' && e.st.st_mtime < limit) {
          remove_file(path / e.name);
          ++result.deleted;
          changed = true;
        }
        continue;
      }
      if (name->time >= limit) continue;  // not yet due (future names too)
      if (sub == queue_dir(Queue::pending) && returning && (e.st.st_mode & S_IXUSR)) {
        std::string poster = stored_sender_of(path / e.name);
        if (!poster.empty()) {
          send_timeout_notice(dir, path / e.name, poster, options.mime, now);
          ++result.returned;
        }
      }
      remove_file(path / e.name);
      ++result.deleted;
      changed = true;
    }
    if (changed) mta::io::fsync_dir(path);
  }
  return result;
}

// --------------------------------------------------------------- accept ---

unsigned accept_files(const ListDir& dir, const std::vector<std::string>& files,
                      const std::vector<std::string>& send_options) {
  const Command command = accept_command(dir, {}, send_options);
  const fs::path pending_dir = fs::absolute(dir.path() / queue_dir(Queue::pending)).lexically_normal();
  unsigned failed = 0;
  DirLock lock(dir, "mod/lock");
  for (const auto& f : files) {
    const fs::path path(f);
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || !(st.st_mode & S_IXUSR)) continue;
    // A file of this list's queue gets its stub first, as ezmlm-moderate's
    // accept does, so no moderator can post it a second time.
    std::optional<QueueName> name;
    if (fs::absolute(path).lexically_normal().parent_path() == pending_dir) name = parse_queue_name(path.filename().string());
    try {
      if (name) write_stub(dir, accepted_dir, name->text());
      run_on_file(command, path, stored_sender_of(path));
      remove_file(path);
    } catch (const mta::MailError& e) {
      if (name) remove_file(dir.path() / accepted_dir / name->text());
      std::cerr << "ezmlm-accept: warning: " << f << ": " << e.what() << "\n";
      ++failed;
    }
  }
  return failed;
}

}  // namespace ezmlm::moderate
