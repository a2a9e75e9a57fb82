// The SQL subscriber store, program side: spec parsing, the plugin loader
// and a SubscriberStore that forwards to the plugin's C interface.
#include "ezmlm/lib/subdb_sql.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cctype>
#include <charconv>
#include <exception>
#include <map>
#include <mutex>
#include <vector>

#include "ezmlm/lib/hash.h"
#include "ezmlm/lib/subdb_sql_plugin.h"
#include "mta/core/address.h"
#include "mta/core/exitcodes.h"

namespace ezmlm::sql {

namespace {

using mta::cat;
using mta::address::ascii_lower;

constexpr unsigned connect_timeout = 10;
constexpr unsigned io_timeout = 60;

std::vector<std::string_view> split_colons(std::string_view s) {
  std::vector<std::string_view> out;
  for (;;) {
    auto c = s.find(':');
    out.push_back(s.substr(0, c));
    if (c == std::string_view::npos) return out;
    s.remove_prefix(c + 1);
  }
}

bool identifier(std::string_view s) {
  if (s.empty() || s.size() > 48) return false;  // leaves room for "_digest_slog" in MySQL's 64
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

[[noreturn]] void bad_spec(std::string_view why) { throw mta::TempError(cat("bad subscriber database spec: ", why)); }

// The plugin, loaded once per process and never unloaded.
const ezsql_api& plugin(const ListDir& dir, const std::string& name) {
  static std::mutex lock;
  static std::map<std::string, const ezsql_api*> loaded;
  std::lock_guard guard(lock);
  if (auto it = loaded.find(name); it != loaded.end()) return *it->second;
  std::vector<std::string> places{dir.env().lib};
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) places.push_back((self.parent_path().parent_path() / "lib" / "ezmlm").string());
  std::string file = cat("sub-", name, ".so"), tried, why;
  for (const auto& place : places) {
    fs::path path = fs::path(place) / file;
    tried += tried.empty() ? path.string() : cat(", ", path.string());
    if (!fs::exists(path, ec)) continue;
    void* h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      why = ::dlerror();
      continue;
    }
    auto get = reinterpret_cast<ezsql_plugin_fn>(::dlsym(h, EZSQL_PLUGIN_SYMBOL));
    const ezsql_api* api = get ? get() : nullptr;
    if (!api || api->abi != ezsql_abi_version) {
      why = cat(path.string(), " is not a subscriber plugin of this version");
      continue;
    }
    loaded[name] = api;
    return *api;
  }
  throw mta::TempError(cat("unable to load the SQL subscriber plugin ", file, " (tried ", tried, ")",
                           why.empty() ? "" : cat(": ", why)));
}

// A store on one table through the plugin. The plugin connection is
// opened on construction, so a database that is down fails early (111).
class SqlStore : public SubscriberStore {
 public:
  SqlStore(const ListDir& dir, std::string_view subdir, const Spec& spec, const StoreOptions& o)
      : dir_(dir), base_(subdir.empty() ? dir.path() : dir.path() / subdir), clock_(o.clock),
        api_(plugin(dir, spec.plugin == "sql" ? "mysql" : spec.plugin)) {
    if (o.forcehash && *o.forcehash >= 0 && *o.forcehash <= 99) forced_ = *o.forcehash;
    std::string table = table_name(spec, subdir);
    message_tables_ = subdir.empty() || subdir == "digest";
    ezsql_params p{spec.host.c_str(),     spec.port,     spec.user.c_str(), spec.password.c_str(),
                   spec.database.c_str(), table.c_str(), connect_timeout,   io_timeout};
    conn_ = api_.open(&p, err_, sizeof err_);
    if (!conn_) fail();
  }
  ~SqlStore() override { api_.close(conn_); }
  SqlStore(const SqlStore&) = delete;
  SqlStore& operator=(const SqlStore&) = delete;

  bool contains(std::string_view address) override {
    if (address.find('\0') != std::string_view::npos || address.size() > max_address_bytes) return false;
    if (check(api_.contains(conn_, stored_form(address).c_str(), err_, sizeof err_))) return true;
    auto at = address.rfind('@');
    if (at == std::string_view::npos || at == 0) return false;
    return check(api_.contains(conn_, ascii_lower(address.substr(at)).c_str(), err_, sizeof err_));
  }

  bool add(std::string_view address, std::string_view tag, std::string_view comment) override {
    check_address(address, &dir_);  // at most 254 bytes: fits the 255 of the column
    std::string stored = stored_form(address);
    int hash = forced_ >= 0 ? forced_ : static_cast<int>(sql_hash(ascii_lower(address)));
    std::string etype(tag.substr(0, 1)), from = cleaned(comment);
    bool changed = check(api_.add(conn_, stored.c_str(), hash, from.c_str(), etype.c_str(), err_, sizeof err_));
    if (changed) log('+', tag, stored, comment);
    return changed;
  }

  bool remove(std::string_view address, std::string_view tag, std::string_view comment) override {
    check_address(address, &dir_, false);
    if (address.size() > max_sql_address_bytes) return false;  // cannot be stored
    std::string stored = stored_form(address);
    std::string etype(tag.substr(0, 1)), from = cleaned(comment);
    bool changed = check(api_.remove(conn_, stored.c_str(), forced_, from.c_str(), etype.c_str(), err_, sizeof err_));
    if (changed) log('-', tag, stored, comment);
    return changed;
  }

  // Checked first, then one transaction: a bad address or a database
  // failure leaves the db as it was, as the std store's batch does.
  std::size_t add_batch(const std::vector<Subscription>& subs, std::string_view tag) override {
    for (const auto& s : subs) check_address(s.address, &dir_);
    return in_transaction(subs, [&](const Subscription& s) { return add(s.address, tag, s.comment); });
  }

  std::size_t remove_batch(const std::vector<Subscription>& subs, std::string_view tag) override {
    for (const auto& s : subs) check_address(s.address, &dir_, false);
    return in_transaction(subs, [&](const Subscription& s) { return remove(s.address, tag, s.comment); });
  }

  void for_each(const std::function<bool(std::string_view)>& f) override {
    struct Ctx {
      const std::function<bool(std::string_view)>* f;
      std::exception_ptr error;
    } ctx{&f, nullptr};
    // No exception may unwind through the plugin: keep it and rethrow here.
    auto row = [](void* p, const char* a, size_t n) -> int {
      auto* c = static_cast<Ctx*>(p);
      try {
        return (*c->f)(std::string_view(a, n)) ? 1 : 0;
      } catch (...) {
        c->error = std::current_exception();
        return 0;
      }
    };
    int rc = api_.for_each(conn_, 0, bucket_count - 1, row, &ctx, err_, sizeof err_);
    if (ctx.error) std::rethrow_exception(ctx.error);
    check(rc);
  }

  void create() override { check(api_.create(conn_, message_tables_ ? 1 : 0, err_, sizeof err_)); }
  void destroy() override { check(api_.destroy(conn_, err_, sizeof err_)); }

 private:
  template <typename F>
  std::size_t in_transaction(const std::vector<Subscription>& subs, F one) {
    if (subs.empty()) return 0;
    check(api_.begin(conn_, err_, sizeof err_));
    std::size_t n = 0;
    deferred_log_ = true;
    try {
      for (const auto& s : subs) n += one(s) ? 1 : 0;
      check(api_.end(conn_, 1, err_, sizeof err_));
    } catch (...) {
      deferred_log_ = false;
      pending_log_.clear();
      char ignored[256];
      api_.end(conn_, 0, ignored, sizeof ignored);
      throw;
    }
    deferred_log_ = false;
    flush_log();
    return n;
  }

  [[noreturn]] void fail() { throw mta::TempError(err_[0] ? err_ : "SQL: unknown error"); }
  bool check(int rc) {
    if (rc < 0) fail();
    return rc > 0;
  }
  static std::string cleaned(std::string_view comment) {
    std::string s(comment.substr(0, 255));
    for (char& c : s)
      if (static_cast<unsigned char>(c) < 32) c = ' ';
    return s;
  }
  // The Log file is informational: the database already holds the change,
  // so a Log that cannot be written (no db directory) is not a failure.
  // In a batch the lines wait for the commit (one append, and nothing
  // logged for a batch that was rolled back).
  void log(char sign, std::string_view tag, const std::string& address, std::string_view comment) {
    if (pending_log_.empty() || pending_sign_ != sign || pending_tag_ != tag) flush_log();
    pending_sign_ = sign;
    pending_tag_ = std::string(tag);
    pending_log_.emplace_back(address, std::string(comment));
    if (!deferred_log_) flush_log();
  }
  void flush_log() {
    if (pending_log_.empty()) return;
    try {
      append_log(base_, clock_ ? clock_() : std::time(nullptr), pending_sign_, pending_tag_, pending_log_);
    } catch (const mta::MailError&) {
    }
    pending_log_.clear();
  }

  const ListDir& dir_;
  fs::path base_;
  std::time_t (*clock_)();
  const ezsql_api& api_;
  void* conn_ = nullptr;
  int forced_ = -1;
  bool message_tables_ = false;
  char err_[512] = {};
  bool deferred_log_ = false;
  char pending_sign_ = '+';
  std::string pending_tag_;
  std::vector<std::pair<std::string, std::string>> pending_log_;
};

}  // namespace

std::optional<Spec> parse_spec(std::string_view text) {
  auto f = split_colons(text);
  if (f[0].empty() || f[0] == "std") return std::nullopt;
  if (f.size() > 7) bad_spec("more than 7 fields");
  Spec s;
  s.plugin = f[0];
  if (!identifier(s.plugin)) bad_spec("bad plugin name");
  if (f.size() > 1) s.host = f[1];
  if (f.size() > 2 && !f[2].empty()) {
    auto [p, ec] = std::from_chars(f[2].data(), f[2].data() + f[2].size(), s.port);
    if (ec != std::errc() || p != f[2].data() + f[2].size() || s.port > 65535) bad_spec("bad port");
  }
  if (f.size() > 3) s.user = f[3];
  if (f.size() > 4) s.password = f[4];
  if (f.size() > 5 && !f[5].empty()) s.database = f[5];
  if (f.size() > 6 && !f[6].empty()) s.table = f[6];
  if (!identifier(s.table)) bad_spec("table root must be letters, digits and '_'");
  if (s.plugin != "mysql" && s.plugin != "sql")
    throw mta::TempError(cat("subscriber database \"", s.plugin, "\" is not supported by this build"));
  return s;
}

std::string table_name(const Spec& spec, std::string_view subdir) {
  if (subdir.empty() || subdir == ".") return spec.table;
  std::string t = cat(spec.table, "_", subdir);
  for (std::size_t i = spec.table.size() + 1; i < t.size(); ++i)
    if (!std::isalnum(static_cast<unsigned char>(t[i]))) t[i] = '_';
  return t;
}

std::unique_ptr<SubscriberStore> open_store(const ListDir& dir, std::string_view subdir, const Spec& spec,
                                            const StoreOptions& options) {
  return std::make_unique<SqlStore>(dir, subdir, spec, options);
}

}  // namespace ezmlm::sql
