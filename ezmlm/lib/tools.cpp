#include "ezmlm/lib/tools.h"

#include <charconv>

#include "ezmlm/lib/sender.h"
#include "mta/core/exitcodes.h"

namespace ezmlm {

StoreOptions store_options(const CommandLine& cl) {
  StoreOptions o;
  o.force_std = cl.last_of("mM", 'm') == 'M';
  o.spec = cl.last('S');
  if (cl.last_of("hH", 'H') == 'h') {
    std::string v = *cl.last('h');
    int n = -1;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec == std::errc() && p != v.data()) o.forcehash = n;  // scan_ulong: junk is ignored
  }
  return o;
}

std::optional<Subscription> parse_import_line(std::string_view line, bool with_names) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
    line.remove_suffix(1);
  if (line.empty() || line[0] == '#') return std::nullopt;
  Subscription s;
  if (!with_names) {
    s.address = std::string(line);
    return s;
  }
  std::size_t i = 0;
  for (; i < line.size(); ++i) {
    char c = line[i];
    if (c == '\\') {
      if (i + 1 >= line.size()) break;
      s.address += line[++i];
      continue;
    }
    if (c == ' ' || c == '\t' || c == ',') break;
    s.address += c;
  }
  if (i < line.size()) s.comment = std::string(line.substr(i + 1));
  return s;
}

std::vector<std::string> db_arguments(const ListDir& dir, const std::vector<std::string>& args) {
  if (args.empty()) return {""};
  std::vector<std::string> out;
  for (const auto& a : args) out.push_back(dir.subdir(a));
  return out;
}

bool in_any(const ListDir& dir, const std::vector<std::string>& subdirs, std::string_view address,
            const StoreOptions& options) {
  for (const auto& s : subdirs)
    if (open_store(dir, s, options)->contains(address)) return true;
  return false;
}

bool sender_in_dbs(const ListDir& dir, const std::vector<std::string>& db_args) {
  const auto& raw = dir.env().sender;
  if (!raw) throw mta::PermError(dir.message("ERR_NOSENDER"), "");
  auto dbs = db_arguments(dir, db_args);
  return !is_bounce_sender(*raw) && in_any(dir, dbs, decode_sender(*raw));
}

}  // namespace ezmlm
