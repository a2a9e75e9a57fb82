// mta/admin/qread.cpp — qmail-qread's and qmail-qstat's work.
//
// Spec notes (reference mta.md sections 2.2 and 15): the header line is
// date822 without its " -0000", then " GMT  #id  size  <sender> "; qmail
// appends " bouncing" after that trailing space, so a bouncing message reads
// ">  bouncing". Recipient lines are local ones first, then remote ones, in
// file order, as qmail prints them.
#include "mta/admin/qread.h"

#include <sys/stat.h>

#include <cerrno>
#include <optional>
#include <set>

#include "mta/core/date.h"
#include "mta/core/exitcodes.h"
#include "mta/core/log.h"

namespace mta::admin::qread {

namespace {

// Splits NUL-terminated records; a tail without its NUL is damage.
std::vector<std::string_view> records(std::string_view data) {
  std::vector<std::string_view> out;
  while (!data.empty()) {
    std::size_t nul = data.find('\0');
    if (nul == std::string_view::npos) throw BadQueueFile("last record has no NUL (truncated file)");
    out.push_back(data.substr(0, nul));
    data.remove_prefix(nul + 1);
  }
  return out;
}

// stat(2) that says "absent" with nullopt and throws for any other failure.
std::optional<struct stat> stat_if_exists(const fs::path& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return st;
  if (errno == ENOENT) return std::nullopt;
  throw_errno(cat("unable to stat ", path.string()));
}

std::string relative(const QueueLayout& q, const fs::path& p) {
  return p.lexically_relative(q.root).string();
}

std::uint64_t mess_size(const QueueLayout& q, std::uint64_t id) {
  auto st = stat_if_exists(q.mess(id));
  if (!st) throw BadQueueFile(cat(relative(q, q.mess(id)), " is missing"));
  return static_cast<std::uint64_t>(st->st_size);
}

// read_todo - a queued message not yet preprocessed; false if todo is gone
bool read_todo(const QueueLayout& q, std::uint64_t id, Message& m) {
  auto st = stat_if_exists(q.todo(id));
  if (!st) return false;
  auto data = io::read_file(q.todo(id));
  if (!data) return false;  // preprocessed between stat and read
  Todo todo = parse_todo(*data);
  m.birth = st->st_mtime;
  m.size = mess_size(q, id);
  m.sender = std::move(todo.sender);
  for (auto& r : todo.recipients) m.recipients.push_back({Channel::todo, false, std::move(r)});
  return true;
}

// read_info - a preprocessed message; false if it has left the queue
bool read_info(const QueueLayout& q, std::uint64_t id, Message& m) {
  auto st = stat_if_exists(q.info(id));
  if (!st) return false;
  auto info = io::read_file(q.info(id));
  if (!info) return false;  // completed between stat and read
  m.birth = st->st_mtime;
  m.sender = parse_info(*info);
  m.size = mess_size(q, id);
  m.bouncing = stat_if_exists(q.bounce(id)).has_value();
  for (auto [path, channel] : {std::pair{q.local(id), Channel::local}, std::pair{q.remote(id), Channel::remote}}) {
    auto data = io::read_file(path);
    if (!data) continue;  // no recipients on this channel
    for (auto& r : parse_recipients(*data, channel)) m.recipients.push_back(std::move(r));
  }
  return true;
}

void scan_dir(const fs::path& dir, std::set<std::uint64_t>& ids) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) throw TempError(cat("unable to read ", dir.string(), ": ", ec.message()));
  for (const auto& entry : it) {
    std::uint64_t id;
    if (parse_queue_id(entry.path().filename().string(), id)) ids.insert(id);
  }
}

std::uint64_t count_files(const fs::path& dir) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) throw TempError(cat("unable to read ", dir.string(), ": ", ec.message()));
  std::uint64_t n = 0;
  for (const auto& entry : it)
    if (entry.is_regular_file(ec)) ++n;
  return n;
}

}  // namespace

std::string parse_info(std::string_view data) {
  auto recs = records(data);
  if (recs.size() != 1 || recs[0].empty() || recs[0][0] != 'F')
    throw BadQueueFile("info file is not one F record");
  return std::string(recs[0].substr(1));
}

std::vector<Recipient> parse_recipients(std::string_view data, Channel channel) {
  std::vector<Recipient> out;
  for (auto rec : records(data)) {
    if (rec.empty() || (rec[0] != 'T' && rec[0] != 'D'))
      throw BadQueueFile("recipient record does not start with T or D");
    out.push_back({channel, rec[0] == 'D', std::string(rec.substr(1))});
  }
  return out;
}

Todo parse_todo(std::string_view data) {
  Todo todo;
  bool have_sender = false;
  for (auto rec : records(data)) {
    if (rec.empty()) throw BadQueueFile("empty record in todo file");
    if (rec[0] == 'F' && !have_sender) {
      todo.sender = rec.substr(1);
      have_sender = true;
    } else if (rec[0] == 'T') {
      if (!have_sender) throw BadQueueFile("recipient before sender in todo file");
      todo.recipients.emplace_back(rec.substr(1));
    }
  }
  if (!have_sender) throw BadQueueFile("todo file has no sender record");
  return todo;
}

std::string format(const Message& m) {
  std::string date = date::date822(m.birth);
  date.resize(date.size() - 6);  // " -0000": qmail-qread says GMT instead
  std::string out = cat(date, " GMT  #", std::to_string(m.id), "  ", std::to_string(m.size), "  <",
                        log::printable(m.sender), "> ", m.bouncing ? " bouncing" : "", "\n");
  for (const auto& r : m.recipients) {
    const char* chan = r.channel == Channel::local ? "local" : r.channel == Channel::remote ? "remote" : "todo";
    out += cat(r.done ? "  done" : "", "\t", chan, "\t", log::printable(r.address), "\n");
  }
  return out;
}

bool read_message(const QueueLayout& q, std::uint64_t id, Message& out) {
  out = Message{};
  out.id = id;
  // todo first: while it exists, it is the whole truth (info/local/remote
  // may be half-written by an interrupted preprocessing pass).
  if (read_todo(q, id, out)) return true;
  out = Message{};
  out.id = id;
  return read_info(q, id, out);
}

std::vector<std::uint64_t> message_ids(const QueueLayout& q) {
  std::set<std::uint64_t> ids;
  scan_dir(q.root / "todo", ids);
  for (unsigned i = 0; i < q.split; ++i) scan_dir(q.root / "info" / std::to_string(i), ids);
  return {ids.begin(), ids.end()};
}

void list(const QueueLayout& q, io::Writer& out, std::vector<std::string>& warnings) {
  for (std::uint64_t id : message_ids(q)) {
    Message m;
    try {
      if (!read_message(q, id, m)) continue;
    } catch (const std::exception& e) {
      warnings.push_back(cat("trouble with #", std::to_string(id), ": ", e.what()));
      continue;
    }
    out << format(m);
  }
}

Counts count(const QueueLayout& q) {
  Counts c;
  for (unsigned i = 0; i < q.split; ++i) c.messages += count_files(q.root / "mess" / std::to_string(i));
  c.unprocessed = count_files(q.root / "todo");
  return c;
}

std::string format(const Counts& c) {
  return cat("messages in queue: ", std::to_string(c.messages), "\n",
             "messages in queue but not yet preprocessed: ", std::to_string(c.unprocessed), "\n");
}

}  // namespace mta::admin::qread
