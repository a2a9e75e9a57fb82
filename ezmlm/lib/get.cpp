#include "ezmlm/lib/get.h"

#include <fcntl.h>
#include <unistd.h>

#include <iostream>

#include "ezmlm/lib/cookie.h"
#include "ezmlm/lib/digest.h"
#include "ezmlm/lib/get_command.h"
#include "ezmlm/lib/post_archive.h"
#include "ezmlm/lib/reply.h"
#include "ezmlm/lib/sender.h"
#include "ezmlm/lib/subdb.h"
#include "ezmlm/lib/tstdig.h"
#include "mta/core/address.h"
#include "mta/core/date.h"
#include "mta/core/exitcodes.h"
#include "mta/core/message.h"
#include "mta/core/paths.h"
#include "mta/core/queue_client.h"

namespace ezmlm::get {

namespace {

bool exists(const ListDir& dir, std::string_view name) {
  std::error_code ec;
  return fs::exists(dir.path() / name, ec);
}

[[noreturn]] void refuse(const ListDir& dir, std::string_view key) {
  auto [text, dsn] = split_dsn(dir.message(key));
  throw mta::PermError(text, dsn);
}

// What the request is, once LOCAL/DEFAULT have been read.
struct Ask {
  Kind kind = Kind::digest;
  bool from_manager = false;  // exit 99 when served
  bool from_editor = false;
  char format = 0;
  Command command;
};

// nullopt: not ours (exit 0).
std::optional<Ask> classify(const ListDir& dir, const GetOptions& options) {
  Ask req;
  const Env& env = dir.env();
  if (!env.local || env.local->empty()) return req;  // command line: a digest
  if (!env.deflt) {
    req.from_editor = true;
    return req;
  }
  if (env.deflt->empty()) return std::nullopt;  // list-@host: manage's help
  req.from_manager = true;
  std::optional<std::string> code = options.code;
  if (!code) {
    if (auto line = dir.first_line("digestcode"); line && !line->empty()) code = *line;
  }
  auto trigger = parse_digest_trigger(*env.deflt, code ? std::optional<std::string_view>(*code) : std::nullopt);
  if (trigger.result == Trigger::bad_code) refuse(dir, "ERR_BAD_DIGCODE");
  if (trigger.result == Trigger::accepted) {
    req.format = trigger.format;
    return req;
  }
  req.command = parse_command(*env.deflt);
  switch (req.command.action) {
    case Action::get: req.kind = Kind::get; break;
    case Action::index: req.kind = Kind::index; break;
    case Action::thread: req.kind = Kind::thread; break;
    default: return std::nullopt;
  }
  req.format = req.command.format;
  // The action goes into the Subject: no control characters from outside.
  for (char& c : req.command.text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return req;
}

// The request's sender, checked as every responder does; "" on the command line.
std::string request_sender(const ListDir& dir) {
  const Env& env = dir.env();
  if (!env.local || env.local->empty()) return {};
  std::string sender = checked_sender(dir);
  // The sender becomes a To: field and a recipient: it must hold an '@'
  // and no line break.
  if (sender.find('@') == std::string::npos || sender.find_first_of("\r\n") != std::string::npos)
    refuse(dir, "ERR_ANONYMOUS");
  return sender;
}

// get/index/thread: may this sender have the archive?
void check_access(const ListDir& dir, const GetOptions& options, std::string_view sender) {
  if (!options.commands) refuse(dir, "ERR_GET_CMD");
  const bool is_public = options.is_public.value_or(exists(dir, "public") && !exists(dir, "modgetonly"));
  if (!is_public) {
    // Only moderators of a list administered remotely get the archive.
    if (!dir.flag('r')) refuse(dir, "ERR_NOT_PUBLIC");
    std::string moddir = dir.first_line("modsub").value_or("");
    if (moddir.empty()) moddir = dir.first_line("remote").value_or("");
    if (moddir.empty()) moddir = "mod";
    if (!open_store(dir, dir.subdir(moddir))->contains(sender)) refuse(dir, "ERR_NOT_PUBLIC");
  }
  if (options.subscribers_only) {
    for (std::string_view db : {"", "digest", "allow"})
      if (open_store(dir, db)->contains(sender)) return;
    refuse(dir, "ERR_SUBSCRIBER_CAN");
  }
}

// The header lines every reply starts with (ezmlm.md 3.1), for `local`
// (the list, or local-digest for digests).
std::string common_headers(const ListDir& dir, std::string_view local, std::string_view host, std::time_t now,
                           std::string& message_id) {
  std::string h;
  h += "Mailing-List: " + expand(dir.message("TXT_MAILING_LIST", {std::string(local), std::string(host)}),
                                 dir.list_tags()) + "\n";
  if (auto id = dir.first_line("listid"); id && !id->empty()) h += "List-ID: " + *id + "\n";
  message_id = mta::cat(std::to_string(now), ".", std::to_string(::getpid()), ".ezmlm@", host);
  h += "Date: " + mta::date::date822(now) + "\n";
  h += "Message-ID: <" + message_id + ">\n";
  h += mta::cat("From: ", local, "-help@", host, "\n");
  h += mta::cat("Delivered-To: responder for ", local, "@", host, "\n");
  return h;
}

// The request's Delivered-To and Received lines, after the loop checks.
std::string copied_lines(const ListDir& dir, const mta::message::Header& request, std::string_view own_dtline,
                         bool from_editor) {
  std::string out;
  for (const auto& f : request.fields) {
    std::string name = mta::address::ascii_lower(f.name);
    if (name == "mailing-list" && !from_editor) refuse(dir, "ERR_MAILING_LIST");
    if (name == "delivered-to") {
      std::string value = mta::message::unfold(f.value());
      value.erase(0, value.find_first_not_of(" \t"));
      if (value == own_dtline) refuse(dir, "ERR_LOOPING");
    }
    if (name == "delivered-to" || name == "received") {
      out += f.raw;
      if (!f.raw.empty() && f.raw.back() != '\n') out += "\n";
    }
  }
  return out;
}

// The request as reply.h copies it: Return-Path, its header and its first
// copylines body lines.
std::string request_copy(const ezmlm::Request& request) {
  std::string out = mta::cat("Return-Path: <", mta::address::quote(request.sender), ">\n", request.header.text());
  if (!request.body_lines.empty()) {
    out += "\n";
    for (const auto& l : request.body_lines) out += l;
  }
  return out;
}

char list_format(const ListDir& dir, const GetOptions& options, char requested) {
  if (requested && is_format(requested)) return requested;
  if (options.format && is_format(*options.format)) return *options.format;
  return 'm';
}

std::string prefix_of(const ListDir& dir) {
  auto p = dir.lines("prefix");
  return p.empty() ? std::string() : p.front();
}

[[noreturn]] void queue_failed(const ListDir& dir, const mta::QueueResult& result) {
  std::string text = dir.message("ERR_TMP_QMAIL_QUEUE") + ": " + std::string(result.reason());
  if (result.permanent()) throw mta::PermError(text, "");
  throw mta::TempError(text, "");
}

// What digests and replies share: texts, charset, headers kept.
BodyPlan base_plan(const ListDir& dir, Kind kind, char format, const std::string& outlocal, const TagValues& tags) {
  BodyPlan plan;
  plan.kind = kind;
  plan.format = format;
  plan.listname = outlocal;
  plan.charset = dir.charset_name();
  plan.encoding = dir.charset_encoding();
  plan.get_bad = dir.render("get-bad", tags);
  plan.txt_administrivia = dir.message("TXT_ADMINISTRIVIA");
  plan.txt_by = [&dir](const std::string& author) { return dir.message("TXT_BY", {author}); };
  plan.txt_end = dir.message("TXT_END_DIGEST", {outlocal});
  plan.digheaders = dir.lines("digheaders");
  for (auto& h : plan.digheaders) h = mta::address::ascii_lower(h);
  if (plan.digheaders.empty()) plan.digheaders = default_digheaders();
  return plan;
}

int run_digest(const ListDir& dir, const GetOptions& options, const Ask& req, std::time_t now) {
  const std::string outlocal = dir.outlocal(), outhost = dir.outhost();
  const std::string diglocal = outlocal + "-digest";
  const int good = req.from_manager ? mta::exit_stop : mta::exit_ok;

  mta::io::Fd lockfd = mta::io::open_or_throw(dir.path() / "lock", O_RDWR | O_CREAT, 0644);
  auto lock = mta::io::FileLock::exclusive(lockfd.get(), false);

  const post::Num num = post::read_num(dir.path()).value_or(post::Num{});
  const tstdig::DigNum last = tstdig::read_dignum(dir).value_or(tstdig::DigNum{});
  if (num.number == 0 || last.number >= num.number) {
    std::cerr << "ezmlm-get: info: " << dir.message("ERR_EMPTY_DIGEST") << "\n";
    return good;
  }
  const Span span{last.number + 1, num.number};
  unsigned long issue = 1;
  if (auto text = mta::io::read_file(dir.path() / "digissue")) issue = tstdig::parse_dignum(*text).number + 1;

  TagValues tags = dir.list_tags();
  tags.set('l', diglocal).set('n', std::to_string(span.from));
  const char format = list_format(dir, options, req.format);
  const std::string date = mta::date::date822(now);

  BodyPlan plan = base_plan(dir, Kind::digest, format, outlocal, tags);
  plan.subject = mta::cat(outlocal, " ", dir.message("SUB_DIGEST_ISSUE"), " ",
                          dir.message("SUB_DIGEST_ISSUE_N", {date, std::to_string(issue)}));
  plan.span = span;
  auto records = load_records(dir.path(), span, prefix_of(dir));
  plan.topics = make_topics(records, format != 'n');
  plan.administrivia = dir.render("digest", tags);
  plan.txt_topics = dir.message("TXT_TOP_TOPICS", {std::to_string(span.from), std::to_string(span.to)});

  std::string message_id;
  std::string head;
  for (const auto& line : dir.lines("headeradd", &tags)) head += line + "\n";
  head += common_headers(dir, diglocal, outhost, now, message_id);
  head += "To: " + mta::address::quote(outlocal + "@" + outhost) + "\n";
  plan.boundary = makehash(message_id);

  mta::QueueClient queue(mta::qmail_home());
  queue.put(head);
  write_body(queue.message(), dir.path(), plan);
  const std::string sender = mta::cat(diglocal, "-return-", std::to_string(span.from), "-@", outhost, "-@[]");
  auto store = open_store(dir, "digest");
  auto result = queue.finish(sender, [&store](const mta::QueueClient::RecipientSink& rcpt) {
    store->for_each([&rcpt](std::string_view address) {
      rcpt(address);
      return true;
    });
  });
  if (!result.ok()) queue_failed(dir, result);
  // Only now the digest is on its way: record it.
  // "N:0", as ezmlm-idx writes it (readers take the first number).
  mta::io::replace_file(dir.path() / "digissue", std::to_string(issue) + ":0\n", 0644);
  mta::io::replace_file(dir.path() / "dignum",
                        tstdig::format_dignum({num.number, num.size, static_cast<unsigned long>(now)}), 0644);
  std::cerr << "ezmlm-get: info: qp " << queue.qp() << "\n";
  return good;
}

int run_request(const ListDir& dir, const GetOptions& options, const Ask& req, mta::io::Reader& in,
                std::time_t now) {
  const std::string sender = request_sender(dir);
  check_access(dir, options, sender);
  if ((req.kind == Kind::index || req.kind == Kind::thread) && !exists(dir, "indexed")) refuse(dir, "ERR_NOT_INDEXED");
  const post::Num num = post::read_num(dir.path()).value_or(post::Num{});
  if (num.number == 0) refuse(dir, "ERR_EMPTY_LIST");

  const std::string outlocal = dir.outlocal(), outhost = dir.outhost();
  const ezmlm::Request request = read_request(in, sender, copylines(dir));
  const std::string dtline = mta::cat("responder for ", outlocal, "@", outhost);
  const std::string copied = copied_lines(dir, request.header, dtline, false);
  // Automatic mail (Auto-Submitted, Precedence bulk, List-* ...) gets no answer.
  if (auto why = loop_reason(request.header, sender); why != LoopReason::none) {
    std::cerr << "ezmlm-get: info: not answering " << loop_reason_text(why) << "\n";
    return mta::exit_stop;
  }

  TagValues tags = dir.list_tags();
  tags.set('n', std::to_string(num.number));
  const char format = list_format(dir, options, req.format);

  BodyPlan plan = base_plan(dir, req.kind, format, outlocal, tags);
  plan.subject = mta::cat(outlocal, " ", dir.message(req.kind == Kind::index ? "SUB_RESULT_OF" : "SUB_DIGEST_OF"),
                          " ", req.command.text);
  if (!options.omitbottom) {
    plan.administrivia = dir.render("bottom", tags);
    plan.request_copy = request_copy(request);
  }

  std::vector<post::IndexRecord> records;
  bool bad_thread = false;
  const std::string prefix = prefix_of(dir);
  if (req.kind == Kind::get) {
    unsigned long dignum = tstdig::read_dignum(dir).value_or(tstdig::DigNum{}).number;
    plan.span = get_span(req.command.first, req.command.second, num.number, dignum);
    plan.txt_topics = dir.message("TXT_TOP_TOPICS", {std::to_string(plan.span.from), std::to_string(plan.span.to)});
    records = load_records(dir.path(), plan.span, prefix);
    plan.topics = make_topics(records, exists(dir, "indexed") && format != 'n');
  } else if (req.kind == Kind::thread) {
    auto span = thread_span(req.command.first, num.number);
    if (!span) {
      bad_thread = true;
    } else {
      plan.span = *span;
      records = load_records(dir.path(), *span, prefix);
      std::string hash;
      for (const auto& r : records)
        if (r.number == req.command.first) hash = r.subjhash;
      std::erase_if(records, [&](const post::IndexRecord& r) {
        return r.number != req.command.first && (hash.empty() || r.subjhash != hash);
      });
      plan.topics = make_topics(records, true);
    }
  } else {
    plan.span = index_span(req.command.first, req.command.second, num.number);
    mta::io::Fd lockfd = mta::io::open_or_throw(dir.path() / "lock", O_RDWR | O_CREAT, 0644);
    auto lock = mta::io::FileLock::exclusive(lockfd.get(), false);
    plan.index_body = index_text(dir.path(), plan.span, dir.message("TXT_NOINDEX"));
  }

  std::string message_id;
  std::string head;
  const std::string to = "To: " + mta::address::quote(sender) + "\n";
  if (req.kind == Kind::get) head += to;  // ezmlm-get writes To: first for get
  head += common_headers(dir, outlocal, outhost, now, message_id);
  head += copied;
  if (req.kind != Kind::get) head += to;
  plan.boundary = makehash(message_id);

  mta::QueueClient queue(mta::qmail_home());
  queue.put(head);
  if (bad_thread) {
    queue.put(mta::cat("Subject: ", plan.subject, "\n\n"));
    queue.put(plan.get_bad);
  } else {
    write_body(queue.message(), dir.path(), plan);
  }
  const std::string envelope_sender = mta::cat(outlocal, "-return-@", outhost);
  auto result = queue.finish(envelope_sender,
                             [&sender](const mta::QueueClient::RecipientSink& rcpt) { rcpt(sender); });
  if (!result.ok()) queue_failed(dir, result);
  std::cerr << "ezmlm-get: info: qp " << queue.qp() << "\n";
  return mta::exit_stop;
}

}  // namespace

GetOptions options_from_files(const ListDir& dir) {
  GetOptions o;
  o.omitbottom = exists(dir, "omitbottom");
  o.subscribers_only = exists(dir, "subgetonly");
  if (auto f = dir.first_line("digformat"); f && !f->empty() && is_format((*f)[0])) o.format = (*f)[0];
  return o;
}

int run_get(const ListDir& dir, const GetOptions& options, mta::io::Reader& in, std::time_t now) {
  auto req = classify(dir, options);
  if (!req) return mta::exit_ok;
  // The sender is checked before anything else, from the editor as well.
  if (req->kind == Kind::digest) request_sender(dir);
  if (!dir.flag('a')) refuse(dir, "ERR_NOT_ARCHIVED");
  if (req->kind == Kind::digest) return run_digest(dir, options, *req, now);
  return run_request(dir, options, *req, in, now);
}

}  // namespace ezmlm::get
