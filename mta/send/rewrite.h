// mta/send/rewrite.h — where a recipient goes: qmail-send's classification.
//
// At preprocessing every todo recipient is rewritten once (reference mta.md
// 4.2): an address without '@' gets "@envnoathost"; percenthack domains turn
// "u%h@domain" into "u@h", repeatedly; a domain in `locals` is local as is;
// otherwise virtualdomains is asked with the whole address, the domain, each
// ".suffix" (longest first) and the empty key, first hit wins: an empty value
// means "not virtual" (remote), any other value P makes the address local as
// "P-address". Everything else is remote. Lookups are ASCII case-insensitive
// and the last line of a duplicated key wins (qmail's constmap).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mta::send {

// constmap - case-insensitive table from a control list; the last duplicate wins.
class ConstMap {
 public:
  // Each line is a key (value empty), as for locals and percenthack.
  static ConstMap keys(const std::vector<std::string>& lines);
  // Each line is "key:value" split at the first ':'; lines without one are ignored.
  static ConstMap pairs(const std::vector<std::string>& lines);

  void add(std::string_view key, std::string_view value);
  const std::string* find(std::string_view key) const;  // nullptr if absent
  bool contains(std::string_view key) const { return find(key) != nullptr; }
  std::size_t size() const { return map_.size(); }

 private:
  std::unordered_map<std::string, std::string> map_;  // keys lower-cased (A-Z only)
};

struct Rewriting {
  std::string envnoathost;
  ConstMap locals;
  ConstMap percenthack;
  ConstMap virtualdomains;
};

struct Target {
  bool local = false;
  std::string address;
  bool operator==(const Target&) const = default;
};

// rewrite - classify and rewrite one todo recipient.
Target rewrite(const Rewriting& rw, std::string_view address);

// bounce_recipient - the address as a bounce names it: a virtualdomains
// prepend of a domain, suffix or catch-all entry stripped, newlines made '_'.
std::string bounce_recipient(const Rewriting& rw, std::string_view address);

}  // namespace mta::send
