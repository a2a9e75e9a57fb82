// ezmlm-sql-migrate — copy a list's subscribers between the std (file)
// store and the SQL store.
//
// `ezmlm-sql-migrate [-vV] [-S subdb] DIR to-sql|to-std`. The SQL side is
// -S, else DIR/subdb, else DIR/sql. Every db of the list (main, digest,
// allow, deny, mod) is copied: the target tables or subscribers/ dirs are
// created if missing, addresses already in the target stay, the source is
// not changed and neither is the list's configuration (write or remove
// DIR/subdb afterwards to switch). The source is streamed and written in
// batches of 10,000, so a million subscribers need no more memory than a
// thousand. Afterwards each target must hold at least as many addresses as
// its source, or the copy failed (111). Log tag "+migrate".
// Exit 0; 100 usage or bad address; 111 database or file trouble.
// See ezmlm-sql-migrate(1).
#include <iostream>

#include "ezmlm/lib/subdb_sql.h"
#include "ezmlm/lib/tools.h"
#include "mta/core/exitcodes.h"

namespace {

constexpr std::size_t batch_size = 10000;

std::size_t count(ezmlm::SubscriberStore& store) {
  std::size_t n = 0;
  store.for_each([&n](std::string_view) {
    ++n;
    return true;
  });
  return n;
}

// Copies one db; returns the number of addresses in the source.
std::size_t copy(ezmlm::SubscriberStore& from, ezmlm::SubscriberStore& to) {
  to.create();
  std::vector<ezmlm::Subscription> batch;
  std::size_t n = 0;
  auto flush = [&] {
    to.add_batch(batch, "migrate");
    batch.clear();
  };
  from.for_each([&](std::string_view address) {
    batch.push_back({std::string(address), ""});
    ++n;
    if (batch.size() >= batch_size) flush();
    return true;
  });
  flush();
  return n;
}

int migrate(int argc, char** argv) {
  auto cl = ezmlm::parse_command_line(argc, argv, "vVS:");
  if (cl.operands.size() != 2) throw mta::UsageError("");
  const std::string& way = cl.operands[1];
  if (way != "to-sql" && way != "to-std") throw mta::UsageError("");
  ezmlm::ListDir dir(cl.operands[0]);
  ezmlm::StoreOptions std_opts, sql_opts;
  std_opts.force_std = true;
  sql_opts.spec = cl.last('S');
  if (!sql_opts.spec) sql_opts.spec = dir.first_line("subdb");
  if (!sql_opts.spec)
    if (auto legacy = dir.first_line("sql")) sql_opts.spec = "sql:" + *legacy;
  if (!sql_opts.spec || !ezmlm::sql::parse_spec(*sql_opts.spec))
    throw mta::UsageError("no SQL database: give -S or write DIR/subdb");
  for (const char* sub : {"", "digest", "allow", "deny", "mod"}) {
    auto from = ezmlm::open_store(dir, sub, way == "to-sql" ? std_opts : sql_opts);
    auto to = ezmlm::open_store(dir, sub, way == "to-sql" ? sql_opts : std_opts);
    std::size_t n = copy(*from, *to);
    std::size_t m = count(*to);
    if (m < n)
      throw mta::TempError(mta::cat("copy of ", *sub ? sub : "the main list", " incomplete: ", std::to_string(m),
                                    " of ", std::to_string(n), " addresses"));
    std::cout << (*sub ? sub : "main") << ": " << n << " copied\n";
  }
  return mta::exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  return mta::run_main({"ezmlm-sql-migrate", "ezmlm-sql-migrate [-vV] [-S subdb] dir to-sql|to-std",
                        "copy a mailing list's subscribers between the file store and SQL"},
                       argc, argv, migrate);
}
