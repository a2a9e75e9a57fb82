#include "ezmlm/lib/post_send.h"

#include <fcntl.h>

#include <algorithm>
#include <exception>
#include <functional>
#include <thread>
#include <utility>

#include "ezmlm/lib/cookie.h"
#include "ezmlm/lib/post_archive.h"
#include "ezmlm/lib/post_header.h"
#include "ezmlm/lib/post_mime.h"
#include "ezmlm/lib/post_oneclick.h"
#include "ezmlm/lib/post_subject.h"
#include "ezmlm/lib/sender.h"
#include "ezmlm/lib/subdb.h"
#include "mta/core/address.h"
#include "mta/core/date.h"
#include "mta/core/exitcodes.h"
#include "mta/core/message.h"
#include "mta/core/paths.h"
#include "mta/core/queue_client.h"

namespace ezmlm::post {

namespace {

std::vector<std::string> lower_lines(const ListDir& dir, std::string_view name) {
  auto lines = dir.lines(name);
  for (auto& l : lines) l = mta::address::ascii_lower(l);
  return lines;
}

bool marker(const ListDir& dir, std::string_view name) {
  std::error_code ec;
  return fs::exists(dir.path() / name, ec);
}

// The body goes to the queue, and (when archived) to the archive file.
// The queue's copy is held in memory until release(), which `open` makes
// possible (it waits for the DMARC answer and the queue program, and
// writes the header): so a post's body, its size and the durable writes
// that need the size come before those waits, not after. A body larger
// than `limit` releases itself and streams from there on, so memory stays
// bounded for a 50 MB post.
class HeldSink : public BodySink {
 public:
  HeldSink(mta::io::Writer* archive, std::function<mta::io::Writer&()> open, std::size_t limit)
      : archive_(archive), open_(std::move(open)), limit_(limit) {}
  void both(std::string_view data) override {
    if (archive_) archive_->write(data);
    bytes_ += data.size();
    queue(data);
  }
  void outgoing(std::string_view data) override { queue(data); }
  unsigned long long bytes() const { return bytes_; }
  // Opens the queue's stream (once) and gives it what was held.
  void release() {
    if (out_) return;
    out_ = &open_();
    out_->write(held_);
    held_ = std::string();
  }

 private:
  mta::io::Writer* archive_;
  std::function<mta::io::Writer&()> open_;
  std::size_t limit_;
  mta::io::Writer* out_ = nullptr;
  std::string held_;
  unsigned long long bytes_ = 0;

  void queue(std::string_view data) {
    if (out_) {
      out_->write(data);
      return;
    }
    held_.append(data);
    if (held_.size() > limit_) release();
  }
};

// One durable write on a thread of its own, so that independent fsyncs
// wait for the disk together instead of one after another. wait() joins
// and rethrows what the work threw; join() only joins (the failure is
// reported later, or not at all when the post failed anyway).
class Background {
 public:
  explicit Background(std::function<void()> work)
      : thread_([this, work = std::move(work)] {
          try {
            work();
          } catch (...) {
            failure_ = std::current_exception();
          }
        }) {}
  ~Background() { join(); }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  void wait() {
    join();
    if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
  }

 private:
  std::exception_ptr failure_;
  std::thread thread_;  // last: started once failure_ exists
};

// A sublist accepts posts only from its parent: SENDER parentlocal...@parenthost.
// Returns the parent's message number from its VERP sender, if any.
std::optional<unsigned long> check_parent(const ListDir& dir, std::string_view sender, std::string_view parent) {
  auto split = mta::address::split_at_last(parent);
  auto s = mta::address::split_at_last(sender);
  if (!s.has_at || !mta::address::iequals(s.domain, split.domain) ||
      s.local.size() < split.local.size() ||
      !mta::address::iequals(s.local.substr(0, split.local.size()), split.local))
  {
    std::string text = dir.message("ERR_NOT_PARENT");
    if (text == "ERR_NOT_PARENT") text = "this message did not come from my parent list (#5.7.2)";
    throw mta::PermError(text, "");
  }
  std::string_view rest = s.local.substr(split.local.size());
  static constexpr std::string_view ret = "-return-";
  if (rest.substr(0, ret.size()) != ret) return std::nullopt;
  rest.remove_prefix(ret.size());
  unsigned long n = 0;
  std::size_t i = 0;
  for (; i < rest.size() && rest[i] >= '0' && rest[i] <= '9'; ++i) n = n * 10 + static_cast<unsigned long>(rest[i] - '0');
  if (i == 0) return std::nullopt;
  return n;
}

// index_entry_of - the index lines of post `number` from its header.
std::string index_entry_of(const mta::message::Header& header, const std::string& prefix, unsigned long number) {
  Subject subject = normalise_subject(header.find("subject") ? header.find("subject")->value() : "", prefix);
  const auto* received = header.find("received");
  const auto* date = header.find("date");
  std::string when = index_date(received ? received->value() : "", date ? date->value() : "");
  if (when.empty()) when = mta::date::date822(std::time(nullptr));
  Author author = author_of(header.find("from") ? header.find("from")->value() : "");
  return index_entry(number, makehash(subject.stripped), subject.index(), when, makehash(author.hash_key),
                     author.name);
}

}  // namespace

pid_t send_post(const ListDir& dir, const SendOptions& options, mta::io::Reader& in, TxtLookup& dns) {
  const std::string sender = checked_sender(dir);
  const std::string outlocal = dir.outlocal();
  const std::string outhost = dir.outhost();
  auto parent = dir.first_line("sublist");
  std::optional<unsigned long> parent_number;
  if (parent) parent_number = check_parent(dir, sender, *parent);

  // Everything that changes num or the archive happens under DIR/lock.
  mta::io::Fd lockfd = mta::io::open_or_throw(dir.path() / "lock", O_RDWR | O_CREAT, 0644);
  auto lock = mta::io::FileLock::exclusive(lockfd.get(), false);

  const bool archived = dir.flag('a');
  const bool indexed = archived && marker(dir, "indexed");
  Num old = read_num(dir.path()).value_or(Num{});
  Num num{old.number + 1, old.size};
  if (parent && !archived && parent_number) num.number = *parent_number;

  auto header = mta::message::read_header(in);
  // The author's DMARC policy: the queries go out now and are collected
  // when the header is built, so the round trip overlaps the start of the
  // queue program and the rest of the set-up.
  const bool always_rewrite = marker(dir, "rewritefrom");
  const std::string author_domain = always_rewrite ? std::string() : from_domain(header);
  if (!author_domain.empty()) prefetch_dmarc(author_domain, dns);

  HeaderRules rules;
  rules.outlocal = outlocal;
  rules.outhost = outhost;
  rules.sublist = parent.has_value();
  if (!rules.sublist) rules.mailing_list = dir.message("TXT_MAILING_LIST", {outlocal, outhost});
  rules.listid = dir.first_line("listid").value_or("");
  TagValues tags;
  tags.set('l', outlocal).set('h', outhost).set('L', outlocal).set('H', outhost).set('n', std::to_string(num.number));
  rules.headeradd = dir.lines("headeradd", &tags);
  rules.headerremove = lower_lines(dir, "headerremove");
  rules.headerkeep = lower_lines(dir, "headerkeep");
  if (!rules.sublist && dir.flag('f')) {
    auto p = dir.lines("prefix", &tags);
    if (!p.empty()) rules.prefix = p.front();
  }
  rules.number = num.number;
  rules.replytolist = marker(dir, "replytolist");
  rules.keep_received = options.keep_received;
  if (options.sublist_header) rules.sublist_header = mta::address::ascii_lower(*options.sublist_header);
  rules.sender = sender;
  rules.message = [&dir](std::string_view key, const std::vector<std::string>& args) {
    std::string text = dir.message(key, args);
    if (text == key && key == "ERR_SUBLIST")
      return std::string("a sublist only takes messages that carry the parent list's header (#5.7.2)");
    return text;
  };
  // Refusals happen here, before anything is written or started.
  check_refusals(header, rules);
  // The queue program is started now, before the DMARC answer is in, and
  // from a thread of its own: posix_spawn holds the calling thread until
  // the child has exec'd, and this one has the set-up below to do
  // meanwhile. A failed look-up abandons it (it sees an empty message and
  // queues nothing), like any error below.
  std::optional<mta::QueueClient> queue;
  Background start_queue([&queue] { queue.emplace(mta::qmail_home()); });

  BodyPlan plan;
  if (const auto* ct = header.find("content-type")) plan.type = parse_content_type(ct->value());
  else plan.type.type = "text/plain";
  if (const auto* cte = header.find("content-transfer-encoding")) plan.cte = parse_cte(cte->value());
  if (auto keep = lower_lines(dir, "mimekeep"); !keep.empty()) {
    plan.filter.mode = MimeFilter::Mode::keep;
    plan.filter.types = std::move(keep);
  } else if (dir.flag('x')) {
    if (auto remove = lower_lines(dir, "mimeremove"); !remove.empty()) {
      plan.filter.mode = MimeFilter::Mode::remove;
      plan.filter.types = std::move(remove);
    }
  }
  if (dir.flag('t') && dir.locate("text/trailer")) plan.trailer = dir.render("trailer", tags);
  plan.charset = dir.charset();
  plan.all_removed_text = dir.message("ERR_BAD_ALL");

  // X-No-Archive: yes from the author keeps the post out of the archive.
  bool archive_this = archived;
  if (const auto* xna = header.find("x-no-archive")) {
    std::string v = mta::message::unfold(xna->value());
    v.erase(0, v.find_first_not_of(" \t"));
    if (mta::address::iequals(v.substr(0, 3), "yes")) archive_this = false;
  }

  std::optional<ArchiveWriter> archive;
  if (archive_this) archive.emplace(dir.path(), num.number);

  // The archive's header does not depend on the From rewriting (it keeps
  // the author's From), so it is written now; the queue's waits for DNS.
  rules.rewrite_from = always_rewrite;
  PostHeaders heads = build_headers(header, rules);
  if (archive) {
    archive->out().write(heads.archive);
    archive->out().write("\n");
  }
  auto open_queue = [&]() -> mta::io::Writer& {
    if (!author_domain.empty() && munges(dmarc_policy(author_domain, dns))) {
      rules.rewrite_from = true;
      heads.outgoing = build_headers(header, rules).outgoing;
    }
    // RFC 8058: the marker for per-recipient rendering at delivery (post_oneclick.h).
    heads.outgoing += oneclick_field(dir, outlocal + "@" + outhost, num.number, std::time(nullptr));
    start_queue.wait();  // TempError when it could not be started
    queue->put(heads.outgoing);
    queue->put("\n");
    return queue->message();
  };
  HeldSink sink(archive ? &archive->out() : nullptr, open_queue, 1 << 20);
  transform_body(in, header.body_start, plan, sink);

  num.size += size_units(sink.bytes());
  if (archive) archive->out().flush();  // a full disk stops us before the queue commits

  const std::string envelope_sender = outlocal + "-return-" + std::to_string(num.number) + "-@" + outhost + "-@[]";
  auto store = open_store(dir, "");
  // Three durable writes that do not depend on each other, each on its own
  // thread so that their fsyncs overlap (strace -f -tt shows them at once),
  // and for a post under 1 MB with the DMARC look-up and the queue
  // program's start too:
  //  - num (numnew, fsync, rename, fsync of DIR) must be durable before
  //    the post is committed, so that a number is never reused: only the
  //    envelope's final NUL, qmail-queue's signal to commit, waits for it;
  //    from here on any failure puts the old num back;
  //  - the archive file (mode 0744, fsync) and indexn (fsync), under their
  //    temporary names while the queue program commits; only the renames
  //    and one fsync of archive/N wait for its answer. num, archive and
  //    index are all durable before we exit 0, which is what qmail-local
  //    counts as delivered. No fsync is dropped: each covers a different
  //    inode (file or directory), and ext4 does not promise that one
  //    covers another.
  std::optional<IndexUpdate> index;  // before the threads that fill it
  Background num_write([&] { write_num(dir.path(), num); });
  std::optional<Background> archive_sync, index_write;
  if (archive) {
    archive_sync.emplace([&] { archive->sync(); });
    if (indexed)
      index_write.emplace([&] { index.emplace(dir.path(), num.number, index_entry_of(header, rules.prefix, num.number)); });
  }
  mta::QueueResult result;
  try {
    sink.release();
    result = queue->finish_records(
        envelope_sender,
        [&store, &num_write](const mta::QueueClient::RecordSink& records) {
          store->for_each_record(records);  // the subscriber files' records, as they are
          num_write.wait();  // a failure here abandons the envelope unterminated
        },
        [&] {
          if (archive_sync) archive_sync->join();
          if (index_write) index_write->join();
        });
  } catch (...) {
    num_write.join();
    write_num(dir.path(), old);
    throw;
  }
  // A queue program that died before reading the message leaves the
  // recipients unasked and num's thread unwaited: no rollback before it ends.
  num_write.join();
  if (!result.ok()) {
    write_num(dir.path(), old);
    std::string text = std::string(result.reason());
    if (result.permanent()) throw mta::PermError(text, "");
    throw mta::TempError(text, "");
  }
  // Queued: the post went out under this number, so num stays; an archive
  // that could not be written is reported now (111).
  if (archive_sync) archive_sync->wait();
  if (index_write) index_write->wait();
  if (archive) {
    archive->commit(false);
    if (index) index->publish();
    mta::io::fsync_dir(archive_subdir(dir.path(), num.number));
  }
  return queue->qp();
}

}  // namespace ezmlm::post
