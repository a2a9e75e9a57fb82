// autorespond/run.cpp — see run.h.
#include "autorespond/run.h"

#include <unistd.h>

#include <charconv>
#include <cstring>

#include "autorespond/reply.h"
#include "autorespond/rules.h"
#include "autorespond/state.h"
#include "autorespond/template.h"
#include "mta/core/cli.h"
#include "mta/core/control.h"
#include "mta/core/exitcodes.h"
#include "mta/core/log.h"
#include "mta/core/queue_client.h"

namespace autorespond {

namespace {

namespace po = boost::program_options;

constexpr std::string_view usage_text =
    "usage: autorespond [--null-sender] [--owner ADDR] [--copy-to ADDR] [--start DATE] [--end DATE] "
    "TIME NUM MESSAGE DIR [FLAG [ARSENDER]]";

[[noreturn]] void usage(std::string_view why) {
  throw mta::ExitError(mta::exit_temp, mta::cat(why, "; ", usage_text));
}

template <typename T>
T number(const std::string& text, const char* what) {
  T v{};
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty())
    usage(mta::cat(what, " is not a number: ", text));
  return v;
}

// The incoming header may be this large; beyond it the message gets no
// reply (a header of megabytes is not a person writing).
constexpr std::size_t max_incoming_header = 1 << 20;
// At most this much of the incoming body is read, for quoting.
constexpr std::size_t max_incoming_body = 4 << 20;

}  // namespace

std::optional<std::time_t> parse_date(std::string_view text, bool end_of_day) {
  std::string t(text);
  if (!t.empty() && t.find_first_not_of("0123456789") == std::string::npos) {
    long long v = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc()) return std::nullopt;
    return static_cast<std::time_t>(v);
  }
  for (const char* fmt : {"%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"}) {
    std::tm tm{};
    const char* end = ::strptime(t.c_str(), fmt, &tm);
    if (!end || *end != '\0') continue;
    bool date_only = std::strlen(fmt) == 8;
    if (date_only && end_of_day) {
      tm.tm_hour = 23;
      tm.tm_min = 59;
      tm.tm_sec = 59;
    }
    tm.tm_isdst = -1;
    std::time_t v = std::mktime(&tm);
    if (v == static_cast<std::time_t>(-1)) return std::nullopt;
    return v;
  }
  return std::nullopt;
}

Options parse_args(int argc, char** argv) {
  po::options_description desc;
  desc.add_options()("null-sender", "")("owner", po::value<std::vector<std::string>>(), "")(
      "copy-to", po::value<std::vector<std::string>>(), "")("start", po::value<std::string>(), "")(
      "end", po::value<std::string>(), "");
  mta::cli::Parsed p;
  try {
    p = mta::cli::parse(argc, argv, desc);
  } catch (const mta::UsageError& e) {
    usage(e.what());
  }
  const auto& pos = p.positional;
  if (pos.size() < 4 || pos.size() > 6) usage("need 4 to 6 operands");
  Options o;
  o.window = number<std::time_t>(pos[0], "TIME");
  o.limit = number<unsigned long>(pos[1], "NUM");
  o.message = pos[2];
  o.dir = pos[3];
  if (pos.size() >= 5) {
    // 2.0 takes FLAG with atoi: "0" turns quoting off, anything else on.
    o.quote = number<long>(pos[4], "FLAG") != 0;
  }
  if (pos.size() == 6) o.arsender = pos[5];
  o.null_sender = p.vars.count("null-sender") > 0;
  if (p.vars.count("owner")) o.owners = p.vars["owner"].as<std::vector<std::string>>();
  if (p.vars.count("copy-to")) o.copy_to = p.vars["copy-to"].as<std::vector<std::string>>();
  for (const auto& a : o.copy_to)
    if (auto why = mta::address::check_envelope_address(a); why || a.find('@') == std::string::npos)
      usage(mta::cat("bad --copy-to address: ", a));
  if (p.vars.count("start")) {
    o.start = parse_date(p.vars["start"].as<std::string>(), false);
    if (!o.start) usage("bad --start date");
  }
  if (p.vars.count("end")) {
    o.end = parse_date(p.vars["end"].as<std::string>(), true);
    if (!o.end) usage("bad --end date");
  }
  return o;
}

std::string resolve_arsender(std::string_view arsender, const mta::dotqmail::Env& env) {
  if (arsender == "+") return "";
  if (arsender != "$") return std::string(arsender);
  std::string ext = env.ext.value_or("");
  std::string host = env.host.value_or("");
  if (!ext.empty() && !host.empty()) return ext + "@" + host;
  if (env.recipient && !env.recipient->empty()) return *env.recipient;
  return env.local.value_or("") + "@" + host;
}

int run(const Options& options, const mta::dotqmail::Env& env, const mta::Home& home, int message_fd,
        std::time_t now, std::ostream& log) {
  if (!env.sender) throw mta::TempError("SENDER not set");
  const std::string& sender = *env.sender;
  auto say = [&](std::string_view what) {
    log << "autorespond: " << what << '\n';
    log.flush();
  };

  // The template first: a broken MESSAGE file is the owner's to fix, and
  // deferring (111) keeps the mail until they do, as 2.0 does.
  Template tmpl;
  try {
    tmpl = load_template(options.message);
  } catch (const TemplateError& e) {
    throw mta::TempError(e.what());
  }

  // The incoming header. Bytes that make no header (NUL, megabytes of one
  // field) get no reply, but never a bounce: the mail itself is delivered.
  mta::io::Reader in(message_fd);
  mta::message::Header header;
  try {
    header = mta::message::read_header(in, {max_incoming_header});
  } catch (const mta::message::HeaderTooLong&) {
    say(mta::cat("no reply to ", mta::log::safe(sender), ": ", reason_name(Reason::bad_message)));
    return mta::exit_ok;
  }
  bool has_nul = false;
  for (const auto& f : header.fields)
    if (f.raw.find('\0') != std::string::npos) has_nul = true;
  if (has_nul) {
    say(mta::cat("no reply to ", mta::log::safe(sender), ": ", reason_name(Reason::bad_message)));
    return mta::exit_ok;
  }

  Policy policy;
  policy.dtline = env.dtline.value_or("");
  policy.recipient = env.recipient.value_or("");
  policy.owners = options.owners;
  policy.start = options.start;
  policy.end = options.end;
  if (auto reason = suppress(header, sender, policy, now)) {
    say(mta::cat("no reply to ", mta::log::safe(sender), ": ", reason_name(*reason)));
    return mta::exit_ok;
  }

  StateStore store(options.dir);
  if (store.count(sender, now, options.window) >= options.limit) {
    say(mta::cat("no reply to ", mta::log::safe(sender), ": ", reason_name(Reason::rate_limit)));
    return mta::exit_ok;
  }

  std::string body;
  if (options.quote) {
    body = header.body_start;
    std::string chunk(65536, '\0');
    while (body.size() < max_incoming_body) {
      std::size_t n = in.read(chunk.data(), chunk.size());
      if (n == 0) break;
      body.append(chunk.data(), n);
    }
  }

  ReplyOptions ro;
  ro.sender = sender;
  std::string arsender = resolve_arsender(options.arsender, env);
  ro.from = arsender.empty() ? env.recipient.value_or("") : arsender;
  ro.envelope_sender = options.null_sender ? "" : arsender;
  ro.copy_to = options.copy_to;
  ro.quote = options.quote;
  ro.host = env.host.value_or("");
  if (ro.host.empty()) ro.host = mta::control::Control(home).line_or_me("me", "localhost");
  ro.now = now;
  ro.pid = ::getpid();
  Reply reply = build_reply(tmpl, header, body, ro);

  mta::QueueClient queue(home);
  queue.put(reply.text);
  mta::QueueResult result = queue.finish(reply.envelope);
  if (!result.ok() && !result.permanent())
    throw mta::TempError(mta::cat("unable to queue the reply: ", result.reason()), "");
  if (!result.ok()) {
    // A reply the queue refuses for good will never go; bouncing the
    // owner's mail for it would be worse.
    say(mta::cat("reply to ", mta::log::safe(sender), " refused: ", mta::log::safe(result.reason())));
    return mta::exit_ok;
  }
  store.record(sender, now);
  say(mta::cat("sent reply to ", mta::log::safe(sender), " qp ", std::to_string(queue.qp())));
  return mta::exit_ok;
}

}  // namespace autorespond
