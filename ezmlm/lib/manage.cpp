#include "ezmlm/lib/manage.h"

#include <unistd.h>

#include <iostream>
#include <memory>
#include <vector>

#include "ezmlm/lib/cookie.h"
#include "ezmlm/lib/cookie_addr.h"
#include "ezmlm/lib/manage_command.h"
#include "ezmlm/lib/manage_from.h"
#include "ezmlm/lib/manage_limit.h"
#include "ezmlm/lib/post_mime.h"
#include "ezmlm/lib/reply.h"
#include "ezmlm/lib/sender.h"
#include "ezmlm/lib/subdb.h"
#include "mta/core/address.h"
#include "mta/core/date.h"
#include "mta/core/exitcodes.h"
#include "mta/core/text.h"
#include "mta/core/transfer_encoding.h"

namespace ezmlm {

namespace {

using mta::address::iequals;

constexpr std::string_view prog = "ezmlm-manage";
// An edited text may be at most this long (ezmlm-idx's limit).
constexpr std::size_t max_edit_bytes = 10240;
// What an ed. reply may hold in all before we stop reading it.
constexpr std::size_t max_edit_message = 1 << 20;

void info(std::string_view text) { std::cerr << prog << ": info: " << text << "\n"; }

std::string local_part(std::string_view address) {
  auto at = address.rfind('@');
  return std::string(address.substr(0, at));
}

// One request, answered.
class Manager {
 public:
  Manager(const ListDir& dir, const ManageOptions& opt, mta::io::Reader& in, std::time_t now)
      : dir_(dir), opt_(opt), in_(in), now_(now) {}

  int run();

 private:
  // --- context ---
  std::string msg(std::string_view key, const std::vector<std::string>& args = {}) const {
    return dir_.message(key, args);
  }
  [[noreturn]] void refuse(std::string_view key, const std::vector<std::string>& args = {}) const {
    auto [text, dsn] = split_dsn(msg(key, args));
    throw mta::PermError(text, dsn);
  }
  std::string list_address() const { return l_ + "@" + host_; }
  std::string subject(std::string_view key, const std::vector<std::string>& args = {}) const {
    return msg(key, args) + " " + list_address();
  }
  SubscriberStore& store() {
    if (!store_) store_ = open_store(dir_, cookie_db_name(cmd_.db));
    return *store_;
  }
  bool is_mod(std::string_view address) {
    if (!(modsub_ || remote_) || address.empty()) return false;
    if (!mods_) mods_ = open_store(dir_, moddir_);
    return mods_->contains(address);
  }
  std::vector<std::string> moderators() {
    std::vector<std::string> out;
    if (!mods_) mods_ = open_store(dir_, moddir_);
    mods_->for_each([&out](std::string_view a) {
      out.emplace_back(a);
      return true;
    });
    return out;
  }
  std::string from_comment() const {
    if (!opt_.store_from) return "";
    const auto* f = request_.header.find("from");
    if (!f) return "";
    std::string v = mta::message::unfold(f->value());
    return std::string(mta::text::trim(v));
  }

  // --- replies ---
  // A reply with text/top rendered (tags: the list's, the target, `more`).
  Reply reply(std::string to, std::string subj, std::string_view target, const TagValues& more = {});
  int send(Reply& r, const std::vector<std::string>& recipients, bool bottom = true, bool forced_bottom = false);
  std::string owner() const { return dir_.outlocal() + "-owner@" + host_; }
  // A confirmation request for `action` about `target` to `recipients`.
  int confirm(char action, std::string_view target, const std::vector<std::string>& recipients,
              std::string to, std::string_view bad_text);
  // The daily limit; false (after an info line) when reached.
  bool within_limit(std::string_view target);

  // --- the verbs ---
  int subscribe(const std::string& target);
  int unsubscribe(const std::string& target);
  int sub_confirm(const std::string& target);
  int to_moderators(const std::string& target);
  int mod_sub_confirm(const std::string& target);
  int unsub_confirm(const std::string& target);
  int mod_unsub_confirm(const std::string& target);
  int bad_cookie(const std::string& target, CookieCheck why);
  int welcome(const std::string& target, bool by_moderator);
  int goodbye(const std::string& target);
  int nop(const std::string& target, bool subscribed, std::string_view subject_key, const std::string& to);
  int help();
  int text_reply(std::string_view text, std::string_view subject_key);
  int query(const std::string& target);
  int list(const std::string& target, bool count_only);
  int log(const std::string& target);
  int edit(const std::string& target);
  int edit_save();
  int get();
  int done_sender_check(std::string_view what);

  const ListDir& dir_;
  const ManageOptions& opt_;
  mta::io::Reader& in_;
  std::time_t now_;

  std::string sender_;
  std::string host_;
  std::string l_;
  std::string key_;
  Command cmd_;
  Request request_;
  bool modsub_ = false, remote_ = false, public_ = false;
  std::string moddir_;
  std::unique_ptr<SubscriberStore> store_, mods_;
};

Reply Manager::reply(std::string to, std::string subj, std::string_view target, const TagValues& more) {
  Reply r(dir_, std::string(prog));
  r.from = l_ + "-help@" + host_;
  r.to = std::move(to);
  r.subject = std::move(subj);
  r.list_local = l_;
  r.verbose = opt_.verbose;
  r.tags.set('l', l_);
  if (!target.empty()) r.tags.set('A', std::string(target)).set('t', encode_target(target));
  for (const auto& [tag, value] : more.values) r.tags.set(tag, value);
  r.trace(request_);
  r.text("top");
  return r;
}

int Manager::send(Reply& r, const std::vector<std::string>& recipients, bool bottom, bool forced_bottom) {
  if (bottom) r.bottom(request_, !(opt_.bottom || forced_bottom));
  pid_t qp = r.send(l_ + "-return-@" + host_, recipients, now_);
  info("qp " + std::to_string(qp));
  return 0;
}

bool Manager::within_limit(std::string_view target) {
  if (take_confirm_slot(dir_, key_, target, now_)) return true;
  info(msg("TXT_CONFIRM_LIMIT", {std::string(target), std::to_string(confirm_limit(dir_))}));
  return false;
}

int Manager::confirm(char action, std::string_view target, const std::vector<std::string>& recipients,
                     std::string to, std::string_view bad_text) {
  if (!within_limit(target)) return 0;
  const std::string address = confirm_address(dir_, key_, cmd_.db, action, target, now_);
  const std::string local = local_part(address);
  const std::string part = local.substr(l_.size() + 1);  // "sc.T.H-box=dom"
  auto parsed = parse_confirm(part);
  const bool sub = action == 's' || action == 't' || action == 'r';
  const char* subj = sub ? (action == 's' ? "SUB_USR_SUBSCRIBE" : "SUB_MOD_SUBSCRIBE")
                         : (action == 'u' ? "SUB_USR_UNSUBSCRIBE" : "SUB_MOD_UNSUBSCRIBE");
  TagValues tags;
  tags.set('R', address).set('r', local).set('c', part).set('X', std::string(1, action) + "c.");
  if (parsed) tags.set('T', parsed->time_text).set('C', parsed->hash);
  Reply r = reply(std::move(to), subject(subj), target, tags);
  r.reply_to = address;
  if (!bad_text.empty()) r.text(bad_text);
  if (action == 's') r.text("sub-confirm");
  else if (action == 'u') r.text("unsub-confirm");
  else if (sub) r.text("mod-sub-confirm");
  else r.text("mod-unsub-confirm");
  return send(r, recipients);
}

int Manager::welcome(const std::string& target, bool by_moderator) {
  if (cmd_.db == CookieDb::allow || cmd_.db == CookieDb::deny) return done_sender_check("addition");
  if (by_moderator && !opt_.notify) {
    info("subscribed " + target);
    return 0;
  }
  Reply r = reply(target, subject("SUB_WELCOME"), target);
  r.extra.emplace_back("List-Unsubscribe",
                       mta::cat("<mailto:", l_, "-unsubscribe-", encode_target(target), "@", host_, ">"));
  r.text("sub-ok");
  std::vector<std::string> rcpts{target};
  if (opt_.owner_copies >= 2) rcpts.push_back(owner());
  if (by_moderator) {
    // mod-sub replaces the bottom: the copy would show the moderator's address.
    r.text("mod-sub");
    return send(r, rcpts, false);
  }
  return send(r, rcpts);
}

int Manager::goodbye(const std::string& target) {
  if (cmd_.db == CookieDb::allow || cmd_.db == CookieDb::deny) return done_sender_check("removal");
  Reply r = reply(target, subject("SUB_GOODBYE"), target);
  r.text("unsub-ok");
  std::vector<std::string> rcpts{target};
  if (opt_.owner_copies >= 2) rcpts.push_back(owner());
  return send(r, rcpts);
}

int Manager::done_sender_check(std::string_view what) {
  info(msg("TXT_SENDER_CHECK", {std::string(what)}));
  return 0;
}

int Manager::nop(const std::string& target, bool subscribed, std::string_view subject_key, const std::string& to) {
  // A notice to someone else than the requester counts like a request.
  if (!iequals(to, sender_) && !within_limit(to)) return 0;
  Reply r = reply(to, subject(subject_key), target);
  r.text(subscribed ? "sub-nop" : "unsub-nop");
  std::vector<std::string> rcpts{to};
  if (!subscribed && opt_.owner_copies >= 1 && subject_key == "SUB_UNSUBSCRIBE_NOP") rcpts.push_back(owner());
  return send(r, rcpts);
}

// --- subscribe ---------------------------------------------------------------

int Manager::subscribe(const std::string& target) {
  check_address(target, &dir_, true);
  if (store().contains(target)) return nop(target, true, "SUB_SUBSCRIBE_NOP", target);
  if (is_mod(sender_) && remote_) return confirm('r', target, {sender_}, sender_, "");
  if (opt_.sub_confirm) return confirm('s', target, {target}, target, "");
  if (modsub_) return to_moderators(target);
  store().add(target, "", from_comment());
  return welcome(target, false);
}

int Manager::to_moderators(const std::string& target) {
  if (opt_.store_from) remember_from(dir_, target, from_comment(), now_);
  return confirm('t', target, moderators(), dir_.outlocal() + "-moderators@" + host_, "");
}

int Manager::sub_confirm(const std::string& target) {
  // Valid: the target itself confirmed.
  if (modsub_ && !(is_mod(sender_) && iequals(sender_, target))) return to_moderators(target);
  check_address(target, &dir_, true);
  if (!store().add(target, "", from_comment())) return nop(target, true, "SUB_SUBSCRIBE_NOP", target);
  return welcome(target, false);
}

int Manager::mod_sub_confirm(const std::string& target) {
  check_address(target, &dir_, true);
  // The Log names the subscriber's From line (kept when the request went to
  // the moderators), never the moderator's.
  bool added = store().add(target, cmd_.verb == Verb::rc ? "mod" : "",
                           opt_.store_from ? recall_from(dir_, target, now_) : "");
  if (!added) {
    if (cmd_.verb == Verb::tc) return 0;  // another moderator was quicker
    info(target + " was already subscribed");
    return 0;
  }
  return welcome(target, true);
}

// --- unsubscribe -------------------------------------------------------------

int Manager::unsubscribe(const std::string& target) {
  if (!store().contains(target)) return nop(target, false, "SUB_UNSUBSCRIBE_NOP", target);
  if (opt_.unsub_confirm) {
    if (is_mod(sender_) && remote_) return confirm('w', target, {sender_}, sender_, "");
    return confirm('u', target, {target}, target, "");
  }
  if (opt_.mod_unsub && modsub_)
    return confirm('v', target, moderators(), dir_.outlocal() + "-moderators@" + host_, "");
  if (!store().remove(target, "", from_comment())) return nop(target, false, "SUB_UNSUBSCRIBE_NOP", target);
  return goodbye(target);
}

int Manager::unsub_confirm(const std::string& target) {
  if (opt_.mod_unsub && modsub_)
    return confirm('v', target, moderators(), dir_.outlocal() + "-moderators@" + host_, "");
  if (!store().remove(target, "", from_comment())) return nop(target, false, "SUB_UNSUBSCRIBE_NOP", target);
  return goodbye(target);
}

int Manager::mod_unsub_confirm(const std::string& target) {
  bool removed = store().remove(target, cmd_.verb == Verb::wc ? "mod" : "", from_comment());
  if (!removed) {
    if (modsub_) return 0;
    return nop(target, false, "SUB_UNSUBSCRIBE_NOP", sender_);
  }
  if (!opt_.notify) {
    info("unsubscribed " + target);
    return 0;
  }
  return goodbye(target);
}

// A confirmation that failed its check: never a change. The subscriber's own
// (sc/uc) gets sub-bad/unsub-bad with a fresh request; a moderator's only when
// a remote moderator sent it, as ezmlm-idx does.
int Manager::bad_cookie(const std::string& target, CookieCheck why) {
  const char* what = why == CookieCheck::expired ? "expired" : "bad or forged";
  info(mta::cat(what, " confirmation ", cmd_.action, " for ", target));
  switch (cmd_.verb) {
    case Verb::sc:
      check_address(target, &dir_, true);
      return confirm('s', target, {target}, target, "sub-bad");
    case Verb::uc:
      return confirm('u', target, {target}, target, "unsub-bad");
    case Verb::tc:
    case Verb::rc:
      if (is_mod(sender_) && remote_) return confirm('r', target, {sender_}, sender_, "sub-bad");
      refuse("ERR_MOD_COOKIE");
    default:
      if (is_mod(sender_) && remote_) return confirm('w', target, {sender_}, sender_, "unsub-bad");
      refuse("ERR_MOD_COOKIE");
  }
}

// --- information -------------------------------------------------------------

int Manager::help() {
  const std::string target = cmd_.target.value_or(sender_);
  Reply r = reply(sender_, "", target);
  if (cmd_.literal_help) r.from = l_ + "-return-@" + host_;  // answers to it end in the trash
  if ((modsub_ || remote_) && is_mod(target)) {
    r.subject = subject("SUB_MOD_HELP");
    r.text("mod-help");
  } else {
    r.subject = subject("SUB_HELP");
  }
  r.text("help");
  return send(r, {sender_}, true, true);
}

int Manager::text_reply(std::string_view text, std::string_view subject_key) {
  Reply r = reply(sender_, subject(subject_key), sender_);
  r.text(text);
  return send(r, {sender_});
}

int Manager::query(const std::string& target) {
  const std::string to = (is_mod(sender_) && remote_) ? sender_ : target;
  return nop(target, store().contains(target), "SUB_STATUS", to);
}

int Manager::list(const std::string& target, bool count_only) {
  if (!opt_.list || !(modsub_ || remote_)) refuse("ERR_NOT_AVAILABLE");
  if (!is_mod(target)) refuse("ERR_NOT_ALLOWED");
  Reply r = reply(target, subject("SUB_LIST"), target);
  unsigned long n = 0;
  std::string lines;
  store().for_each([&](std::string_view a) {
    ++n;
    if (!count_only) lines.append(a).append("\n");
    return true;
  });
  r.raw(lines);
  r.raw("\n======> " + std::to_string(n) + "\n");
  return send(r, {target});
}

// ezmlm's search: [a-z0-9._] match themselves (without regard to case),
// every other character matches any one character.
bool log_matches(std::string_view line, std::string_view search) {
  if (search.empty()) return true;
  auto literal = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
  };
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
  for (std::size_t i = 0; i + search.size() <= line.size(); ++i) {
    std::size_t j = 0;
    for (; j < search.size(); ++j)
      if (literal(search[j]) && lower(search[j]) != lower(line[i + j])) break;
    if (j == search.size()) return true;
  }
  return false;
}

int Manager::log(const std::string& target) {
  if (!opt_.list || !remote_) refuse("ERR_NOT_AVAILABLE");
  if (!is_mod(target)) refuse("ERR_NOT_ALLOWED");
  Reply r = reply(target, subject("SUB_LOG"), target);
  std::string db = std::string(cookie_db_name(cmd_.db));
  auto text = mta::io::read_file(dir_.path() / db / "Log").value_or("");
  std::string out;
  mta::text::for_each_line(text, [&](std::size_t, std::string_view line) {
    if (!log_matches(line, cmd_.param)) return;
    auto sp = line.find(' ');
    std::string_view when = line.substr(0, sp);
    std::time_t t = 0;
    for (char c : when) {
      if (c < '0' || c > '9') return;
      t = t * 10 + (c - '0');
    }
    out += mta::date::date822(t) + ": " + std::string(sp == std::string_view::npos ? "" : line.substr(sp + 1)) + "\n";
  });
  r.raw(out);
  return send(r, {target});
}

// --- editing -----------------------------------------------------------------

int Manager::edit(const std::string& target) {
  if (!opt_.edit || !remote_) refuse("ERR_NOT_AVAILABLE");
  if (!is_mod(target)) refuse("ERR_NOT_ALLOWED");
  if (cmd_.param.empty()) {
    Reply r = reply(target, subject("SUB_EDIT_LIST"), target);
    r.text("edit-list");
    return send(r, {target});
  }
  std::string name = cmd_.param;
  for (char& c : name) {
    if (c == '_') c = '-';
    else if (!(c >= 'a' && c <= 'z')) refuse("ERR_NOT_AVAILABLE");
  }
  auto contents = dir_.read("text/" + name);
  if (!contents) refuse("ERR_NOT_AVAILABLE");
  const std::string address = mta::cat(dir_.outlocal(), "-", edit_cookie(key_, name, *contents, now_), "@", host_);
  TagValues tags;
  tags.set('R', address).set('r', local_part(address));
  Reply r = reply(target, subject("SUB_EDIT_DO", {name}), target, tags);
  r.reply_to = address;
  r.text("edit-do");
  r.raw("%%% START OF TEXT FILE\n");
  r.raw(*contents);
  if (!contents->empty() && contents->back() != '\n') r.raw("\n");
  r.raw("%%% END OF TEXT FILE\n");
  return send(r, {target});
}

// The text between the marker lines of an ed. reply: the quote prefix of the
// START line (at most 5 bytes before "%%%") is taken off every line.
std::optional<std::string> edited_text(std::string_view body) {
  std::string out;
  std::string prefix;
  bool inside = false;
  bool done = false;
  mta::text::for_each_line(body, [&](std::size_t, std::string_view line) {
    if (done) return;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto pct = line.find("%%%");
    bool marker = pct != std::string_view::npos && pct <= 5 && line.substr(0, pct).find('%') == std::string_view::npos;
    if (!inside) {
      if (marker && line.find("START", pct) != std::string_view::npos) {
        inside = true;
        prefix = std::string(line.substr(0, pct));
      }
      return;
    }
    if (marker && line.find("END", pct) != std::string_view::npos) {
      done = true;
      return;
    }
    if (line.substr(0, prefix.size()) == prefix) line.remove_prefix(prefix.size());
    else if (!prefix.empty() && line == mta::text::trim_right(prefix)) line = {};
    out.append(line).append("\n");
  });
  if (!done) return std::nullopt;
  return out;
}

std::string decode_as(std::string_view cte, std::string body) {
  auto kind = post::parse_cte(cte);
  if (kind == post::Cte::quoted_printable) return mta::cte::qp_decode(body);
  if (kind == post::Cte::base64) return mta::cte::base64_decode(body);
  return body;
}

// The text of a reply: the body decoded by its Content-Transfer-Encoding,
// or, for a multipart reply (most mail programs send text and HTML), its
// first text/plain part (or first part without a Content-Type) decoded.
std::string decoded_text(const mta::message::Header& header, const std::string& body) {
  const auto* ct = header.find("content-type");
  const auto* cte = header.find("content-transfer-encoding");
  post::ContentType type = post::parse_content_type(ct ? ct->value() : "text/plain");
  if (!type.multipart() || type.boundary.empty()) return decode_as(cte ? cte->value() : "", body);
  const std::string delimiter = "--" + type.boundary;
  std::size_t pos = 0;
  while (true) {
    std::size_t start = body.find(delimiter, pos);
    if (start == std::string::npos) return body;
    std::size_t line_end = body.find('\n', start);
    if (line_end == std::string::npos) return body;
    std::size_t next = body.find("\n" + delimiter, line_end);
    std::string part = body.substr(line_end + 1, next == std::string::npos ? std::string::npos : next - line_end);
    auto in = mta::io::Reader::from_string(part);
    auto part_header = mta::message::read_header(in);
    const auto* pct = part_header.find("content-type");
    post::ContentType ptype = post::parse_content_type(pct ? pct->value() : "text/plain");
    if (!pct || ptype.type == "text/plain") {
      const auto* pcte = part_header.find("content-transfer-encoding");
      return decode_as(pcte ? pcte->value() : "", part_header.body_start + in.read_all());
    }
    if (next == std::string::npos) return body;
    pos = next + 1;
  }
}

int Manager::edit_save() {
  if (!opt_.edit || !remote_) refuse("ERR_NOT_AVAILABLE");
  if (!cmd_.cookie) refuse("ERR_MOD_COOKIE");
  const std::string& name = cmd_.cookie->extra;
  std::string current = dir_.read("text/" + name).value_or("");
  CookieCheck c = check_edit(key_, *cmd_.cookie, current, now_);
  if (c != CookieCheck::ok) {
    info(mta::cat(c == CookieCheck::expired ? "expired" : "bad or outdated", " edit cookie for ", name));
    refuse("ERR_MOD_COOKIE");
  }
  // The body: what read_request kept plus the rest, decoded.
  std::string body;
  for (const auto& l : request_.body_lines) body += l;
  char buf[8192];
  while (body.size() < max_edit_message) {
    std::size_t n = in_.read(buf, sizeof buf);
    if (n == 0) break;
    body.append(buf, n);
  }
  auto text = edited_text(decoded_text(request_.header, body));
  if (!text) refuse("ERR_EDIT_MARKERS");
  if (text->size() > max_edit_bytes) refuse("ERR_EDIT_SIZE", {std::to_string(max_edit_bytes)});
  std::error_code ec;
  fs::create_directories(dir_.path() / "text", ec);
  mta::io::replace_file(dir_.path() / "text" / name, *text, 0600);
  Reply r = reply(sender_, subject("SUB_EDIT_DONE", {name}), sender_);
  r.text("edit-done");
  return send(r, {sender_});
}

int Manager::get() {
  if (!opt_.get) refuse("ERR_GET_CMD");
  unsigned long n = 0;
  bool ok = !cmd_.param.empty() && cmd_.param.size() < 12;
  for (char c : cmd_.param) {
    if (c < '0' || c > '9') ok = false;
    else n = n * 10 + static_cast<unsigned long>(c - '0');
  }
  Reply r = reply(sender_, subject("SUB_GET_MSG"), sender_);
  std::optional<std::string> text;
  if (ok && n > 0) {
    char two[3] = {static_cast<char>('0' + (n % 100) / 10), static_cast<char>('0' + n % 10), 0};
    auto path = dir_.path() / "archive" / std::to_string(n / 100) / two;
    std::error_code ec;
    auto st = fs::status(path, ec);
    if (!ec && (st.permissions() & fs::perms::owner_exec) != fs::perms::none) text = mta::io::read_file(path);
  }
  if (!text) {
    r.text("get-bad");
    return send(r, {sender_});
  }
  std::string quoted;
  mta::text::for_each_line(*text, [&](std::size_t, std::string_view line) {
    quoted.append("> ").append(line).append("\n");
  });
  r.raw(quoted);
  return send(r, {sender_});
}

int Manager::run() {
  sender_ = checked_sender(dir_);
  if (sender_.find('@') == std::string::npos) refuse("ERR_ANONYMOUS");
  if (!dir_.env().deflt) refuse("ERR_NODEFAULT");
  cmd_ = parse_command(*dir_.env().deflt);
  host_ = dir_.outhost();
  l_ = dir_.outlocal();
  if (cmd_.db != CookieDb::main) l_ += mta::cat("-", cookie_db_name(cmd_.db));

  request_ = read_request(in_, *dir_.env().sender, copylines(dir_));

  // ezmlm-idx's refusals (exit 100) first, then our silence for automatic mail.
  if (request_.header.has("mailing-list")) refuse("ERR_MAILING_LIST");
  const std::string own_line = "responder for " + l_ + "@" + host_;
  for (const auto* f : request_.header.find_all("delivered-to"))
    if (iequals(mta::text::trim(mta::message::unfold(f->value())), own_line)) refuse("ERR_LOOPING");
  LoopReason why = loop_reason(request_.header, sender_);
  const bool is_confirmation = cmd_.cookie.has_value() && cmd_.verb != Verb::ed;
  if (why != LoopReason::none && !(why == LoopReason::list_header && is_confirmation)) {
    info("not answering " + loop_reason_text(why));
    return 0;
  }

  key_ = read_key(dir_);
  modsub_ = dir_.flag('s');
  remote_ = dir_.flag('r');
  public_ = dir_.flag('p');
  if (modsub_ || remote_) {
    std::string m = dir_.first_line(modsub_ ? "modsub" : "remote").value_or("");
    if (m.empty() && modsub_ && remote_) m = dir_.first_line("remote").value_or("");
    moddir_ = m.empty() ? "mod" : dir_.subdir(m);
  }

  // Who is asked about being a moderator: the target for the commands that
  // answer the moderator, the sender otherwise.
  const bool answers_target = cmd_.verb == Verb::list || cmd_.verb == Verb::listn || cmd_.verb == Verb::log ||
                              cmd_.verb == Verb::edit || cmd_.verb == Verb::get || cmd_.verb == Verb::help;
  const std::string who = answers_target ? cmd_.target.value_or(sender_) : sender_;
  if (!public_ && !(remote_ && is_mod(who)) && cmd_.verb != Verb::help) refuse("ERR_NOT_PUBLIC");
  if (cmd_.db == CookieDb::deny && !(remote_ && is_mod(sender_))) refuse("ERR_NOT_ALLOWED");

  const std::string target = cmd_.target.value_or(sender_);
  // A target that goes into a header or a db must be an address: no line
  // breaks (header injection), an '@', at most 400 bytes. help only asks
  // whether its target is a moderator, so "help-anything" stays help.
  if (cmd_.verb != Verb::help) {
    check_address(target, &dir_, false);
    if (cmd_.cookie && !cmd_.cookie->target.empty()) check_address(cmd_.cookie->target, &dir_, false);
  }
  switch (cmd_.verb) {
    case Verb::subscribe: return subscribe(target);
    case Verb::unsubscribe: return unsubscribe(target);
    case Verb::sc:
    case Verb::tc:
    case Verb::rc:
    case Verb::uc:
    case Verb::vc:
    case Verb::wc: {
      const std::string t = cmd_.cookie && !cmd_.cookie->target.empty() ? cmd_.cookie->target : target;
      if (!cmd_.cookie) return bad_cookie(t, CookieCheck::forged);
      CookieCheck c = check_confirm(key_, cmd_.db, *cmd_.cookie, t, now_);
      if (c != CookieCheck::ok) return bad_cookie(t, c);
      switch (cmd_.verb) {
        case Verb::sc: return sub_confirm(t);
        case Verb::uc: return unsub_confirm(t);
        case Verb::tc:
        case Verb::rc: return mod_sub_confirm(t);
        default: return mod_unsub_confirm(t);
      }
    }
    case Verb::help: return help();
    case Verb::info: return text_reply("info", "SUB_INFO");
    case Verb::faq: return text_reply("faq", "SUB_FAQ");
    case Verb::query: return query(target);
    case Verb::list: return list(target, false);
    case Verb::listn: return list(target, true);
    case Verb::log: return log(target);
    case Verb::edit: return edit(target);
    case Verb::ed: return edit_save();
    case Verb::get: return get();
  }
  return help();
}

}  // namespace

ManageOptions manage_options(const ListDir& dir, const CommandLine& cl) {
  ManageOptions o;
  o.bottom = !dir.locate("omitbottom");
  o.edit = dir.flag('n');
  o.list = dir.flag('l');
  o.sub_confirm = !dir.flag('h');
  o.unsub_confirm = !dir.flag('j');
  for (const auto& opt : cl.options) {
    switch (opt.letter) {
      case 'a': o.verbose = true; break;
      case 'A': o.verbose = false; break;
      case 'b': o.bottom = true; break;
      case 'B': o.bottom = false; break;
      case 'c': o.get = true; break;
      case 'C': o.get = false; break;
      case 'd':
      case 'e': o.edit = true; break;
      case 'D':
      case 'E': o.edit = false; break;
      case 'f': o.store_from = true; break;
      case 'F': o.store_from = false; break;
      case 'l': o.list = true; break;
      case 'L': o.list = false; break;
      case 'm': o.mod_unsub = true; break;
      case 'M': o.mod_unsub = false; break;
      case 'n': o.notify = true; break;
      case 'N': o.notify = false; break;
      case 'q': o.owner_copies = 0; break;
      case 'Q': ++o.owner_copies; break;
      case 's': o.sub_confirm = true; break;
      case 'S': o.sub_confirm = false; break;
      case 'u': o.unsub_confirm = true; break;
      case 'U': o.unsub_confirm = false; break;
      default: break;
    }
  }
  return o;
}

int manage(const ListDir& dir, const ManageOptions& options, mta::io::Reader& in, std::time_t now) {
  Manager m(dir, options, in, now);
  return m.run();
}

int manage_main(int argc, char** argv) {
  auto cl = parse_command_line(argc, argv, manage_spec, "ezmlm");
  if (cl.operands.size() != 1) throw mta::UsageError("");
  ListDir dir(cl.operands[0]);
  ManageOptions options = manage_options(dir, cl);
  mta::io::Reader in(0);
  return manage(dir, options, in, std::time(nullptr));
}

}  // namespace ezmlm
