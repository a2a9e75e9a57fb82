// ezmlm/lib/subdb.h — subscriber stores (ezmlm.md 1.3, 7).
//
// A store holds the addresses of one db of a list: the main list ("") or a
// subdirectory ("digest", "allow", "deny", "mod", or the content of modsub/
// remote/modpost). The interface is DB-neutral: the std store (files) is
// here; the SQL store (DIR/subdb, DIR/sql) is subdb_sql.h, behind the same
// open_store().
//
// The std store, compatible with ezmlm-idx's sub-std:
//   <sub>/subscribers/@ .. t  records "T" address NUL; letter by hash.h
//   <sub>/lock                flock'ed around every change
//   <sub>/Log                 "unixtime SP event SP address[ SP comment]\n"
// Addresses are stored with the domain lowercased, local part as given, and
// compared without regard to case. A stored "@domain" is a wildcard: every
// address of that domain is "contained". Lookups read only the address's
// bucket (plus the case-sensitive and legacy 32-bit buckets when they
// differ), streaming, so memory does not grow with the list.
// A removal that finds an address in none of its buckets scans the other
// buckets once (a legacy entry in a case-sensitive bucket cannot be located
// by hash), so unsubscribing never reports success while the address stays.
// A change rewrites each touched bucket once: lock, copy to "<letter>n"
// with the change, fsync, rename over the bucket, fsync the directory, then
// one append of the Log lines. A batch (add_batch/remove_batch) costs one
// rewrite per touched bucket however many addresses it holds.
//
// Addresses are validated before anything is written: it must contain '@',
// have no NUL, CR or LF, and be at most 254 bytes (RFC 5321's path limit)
// with any 8-bit bytes forming UTF-8 (SMTPUTF8) when added, at most 400
// bytes (ezmlm's limit, so old entries can go) when removed; otherwise BadAddress
// (a PermError, exit 100) and no file changes — for a batch, no address of
// the batch is written.
//
// Errors: TempError for file-system trouble (a missing subscribers/ dir
// included: ezmlm-sub after ezmlm-rmtab fails 111).
#pragma once

#include <ctime>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ezmlm/lib/listdir.h"
#include "mta/core/exitcodes.h"

namespace ezmlm {

inline constexpr std::size_t max_address_bytes = 400;      // removal: ezmlm-idx's limit
inline constexpr std::size_t max_new_address_bytes = 254;  // adding: RFC 5321 4.5.3.1.3

class BadAddress : public mta::PermError {
 public:
  explicit BadAddress(std::string what, std::string dsn = "5.1.3") : mta::PermError(std::move(what), std::move(dsn)) {}
};

// Throws BadAddress "<reason>: <address>" (the address cut at 60 bytes,
// control characters as '?'). The reasons are the text/messages entries
// ERR_ADDR_AT, ERR_ADDR_LONG, ERR_ADDR_NL and ERR_ADDR_8BIT of `dir` when
// given (the compiled-in texts otherwise); their "(#5.1.3)" becomes the
// error's code. A new address (for_adding) must also fit SMTP's limits.
void check_address(std::string_view address, const ListDir* dir = nullptr, bool for_adding = true);
// The stored form: the domain (after the last '@') lowercased.
std::string stored_form(std::string_view address);

struct Subscription {
  std::string address;
  std::string comment;  // the Log comment (ezmlm-sub's "name", a From line); may be empty
};

class SubscriberStore {
 public:
  virtual ~SubscriberStore();

  // Exact address (case-insensitive), legacy buckets, then the "@domain" wildcard.
  virtual bool contains(std::string_view address) = 0;
  // log_tag is the Log event without its sign ("manual", "probe", "" ...):
  // an add logs "+tag", a remove "-tag". Returns false when nothing changed.
  virtual bool add(std::string_view address, std::string_view log_tag, std::string_view comment) = 0;
  virtual bool remove(std::string_view address, std::string_view log_tag, std::string_view comment) = 0;
  // Many at once; returns how many changed. Default: one call each.
  virtual std::size_t add_batch(const std::vector<Subscription>& subs, std::string_view log_tag);
  virtual std::size_t remove_batch(const std::vector<Subscription>& subs, std::string_view log_tag);
  // Streams every stored address; stops when f returns false.
  virtual void for_each(const std::function<bool(std::string_view)>& f) = 0;
  // The same addresses in the same order as qmail-queue envelope records
  // ("T" address NUL), handed to f in runs of whole records, for
  // ezmlm-send's envelope. The std store passes its files' bytes through
  // (they hold exactly these records) instead of one call per address.
  // Default: built from for_each, in runs of about 64 KB.
  virtual void for_each_record(const std::function<void(std::string_view)>& f);
  // Creates the empty db (ezmlm-make); drops it (ezmlm-rmtab).
  virtual void create() = 0;
  virtual void destroy() = 0;
};

struct StoreOptions {
  bool force_std = false;              // ezmlm-sub -M: ignore subdb/sql
  std::optional<std::string> spec;     // -S: a subdb spec overriding DIR/subdb
  std::optional<int> forcehash;        // -h: bucket 0..52 for added addresses
  std::time_t (*clock)() = nullptr;    // Log time; nullptr = time(nullptr)
};

// subdir as accepted by ListDir::subdir(). An SQL spec (DIR/subdb, DIR/sql
// or options.spec) gives the SQL store of subdb_sql.h. Throws TempError
// for a bad spec and for a bad subdir. The std store honours forcehash
// only in 0..52 and ignores other values, as sub-std does.
std::unique_ptr<SubscriberStore> open_store(const ListDir& dir, std::string_view subdir,
                                            const StoreOptions& options = {});

// Appends one "when SP sign tag SP address[ SP comment]" line per change
// (address, comment) to base/Log in one write; non-printables as '?'.
// Shared by the std and SQL stores. TempError when Log cannot be written.
void append_log(const fs::path& base, std::time_t when, char sign, std::string_view tag,
                const std::vector<std::pair<std::string, std::string>>& changed);

}  // namespace ezmlm
