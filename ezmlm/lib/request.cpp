// ezmlm/lib/request.cpp — see request.h.
#include "ezmlm/lib/request.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "ezmlm/lib/sender.h"
#include "mta/core/address.h"
#include "mta/core/text.h"

namespace ezmlm::request {
namespace {

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && mta::address::ascii_lower(s.substr(0, prefix.size())) == prefix;
}

// The db prefixes ezmlm-manage knows (ezmlm.md 4): kept in front of the action.
constexpr std::array<std::string_view, 3> db_prefixes = {"digest-", "allow-", "deny-"};

// alias -> canonical (ezmlm.md 3.2).
constexpr std::array<std::pair<std::string_view, std::string_view>, 13> aliases = {{
    {"sub", "subscribe"},
    {"unsub", "unsubscribe"},
    {"remove", "unsubscribe"},
    {"signoff", "unsubscribe"},
    {"ind", "index"},
    {"rev", "list"},
    {"review", "list"},
    {"recipients", "list"},
    {"who", "list"},
    {"showdist", "list"},
    {"system", "help"},
    {"put", "help"},
    {"set", "help"},
}};

// The words of a line, split at blanks.
std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    std::size_t start = i;
    while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

// "<mailto:a@b>" -> "a@b"; a trailing ',' or ';' (lists typed by hand) goes too.
std::string_view unwrap_address(std::string_view word) {
  word = mta::text::trim_right(word, ",;");
  if (word.size() >= 2 && word.front() == '<' && word.back() == '>') word = word.substr(1, word.size() - 2);
  if (starts_with_nocase(word, "mailto:")) word.remove_prefix(7);
  return word;
}

// An argument word as a command suffix: "12-20" -> "12_20".
std::string argument(std::string_view word) {
  std::string out(word);
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

}  // namespace

std::string canonical_command(std::string_view word) {
  std::string w = mta::address::ascii_lower(word);
  std::string prefix;
  for (auto p : db_prefixes)
    if (w.size() > p.size() && w.compare(0, p.size(), p) == 0) {
      prefix = std::string(p);
      w.erase(0, p.size());
      break;
    }
  // The alias is the part before any ".arg" suffix ("sub.x" stays unknown).
  for (const auto& [alias, canonical] : aliases)
    if (w == alias) {
      w = std::string(canonical);
      break;
    }
  return prefix + w;
}

bool is_command_word(std::string_view word) {
  if (word.empty()) return false;
  return std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '+' || c == '-';
  });
}

bool is_target_address(std::string_view a) {
  if (a.empty() || a.size() > 400) return false;
  auto at = a.rfind('@');
  if (at == std::string_view::npos) return false;
  return is_command_word(a.substr(0, at)) && is_command_word(a.substr(at + 1));
}

std::optional<std::string_view> default_rest(std::string_view deflt) {
  if (!starts_with_nocase(deflt, "request")) return std::nullopt;
  std::string_view rest = deflt.substr(7);
  if (rest.empty()) return rest;
  if (rest[0] != '-') return std::nullopt;
  return rest.substr(1);
}

Command parse_address_part(std::string_view part) {
  // Skip a db prefix so that its '-' does not end the action.
  std::size_t skip = 0;
  for (auto p : db_prefixes)
    if (part.size() > p.size() && starts_with_nocase(part, p)) {
      skip = p.size();
      break;
    }
  Command cmd;
  auto dash = part.find('-', skip);
  std::string_view action = part.substr(0, dash);
  if (dash != std::string_view::npos) cmd.target_part = std::string(part.substr(dash + 1));
  cmd.name = canonical_command(action);
  if (!is_command_word(action)) cmd.unclean = std::string(action);
  // box=dom: both sides clean ('=' is the stand-in for '@').
  std::string_view box = cmd.target_part;
  auto eq = box.rfind('=');
  if (!box.empty() && cmd.unclean.empty() &&
      !(is_command_word(box.substr(0, eq)) &&
        (eq == std::string_view::npos || is_command_word(box.substr(eq + 1)))))
    cmd.unclean = cmd.target_part;
  return cmd;
}

std::optional<Command> parse_line(std::string_view line, const ListLookup& lists) {
  auto ws = words(line);
  if (ws.empty()) return std::nullopt;
  Command cmd;
  std::string_view head = unwrap_address(ws[0]);
  if (head.find('@') != std::string_view::npos) {
    // A whole command address "list-cmd-box=dom@host": find the longest
    // list local part (lists may hold '-') that is one we serve.
    std::string address = mta::address::ascii_lower(head);
    auto at = address.rfind('@');
    bool matched = false;
    for (auto dash = address.rfind('-', at); dash != std::string::npos && dash > 0;
         dash = address.rfind('-', dash - 1)) {
      std::string list = address.substr(0, dash) + address.substr(at);
      if (!lists(list)) continue;
      cmd = parse_address_part(head.substr(dash + 1, at - dash - 1));
      cmd.list = list;
      matched = true;
      break;
    }
    if (!matched) {
      cmd.name = std::string("help");
      cmd.unclean = std::string(head);
    }
    return cmd;
  }
  cmd.name = canonical_command(ws[0]);
  if (!is_command_word(ws[0])) cmd.unclean = std::string(ws[0]);
  for (std::size_t i = 1; i < ws.size(); ++i) {
    std::string_view w = unwrap_address(ws[i]);
    if (w.find('@') != std::string_view::npos) {
      std::string l = mta::address::ascii_lower(w);
      if (cmd.list.empty() && lists(l)) {
        cmd.list = l;
      } else if (cmd.target.empty()) {
        cmd.target = std::string(w);
        if (!is_target_address(w) && cmd.unclean.empty()) cmd.unclean = cmd.target;
      }
    } else if (cmd.list.empty() && cmd.target.empty()) {
      // Arguments come before the addresses ("get 12 list@host").
      if (!is_command_word(w) && cmd.unclean.empty()) cmd.unclean = std::string(w);
      cmd.name.push_back('.');
      cmd.name.append(argument(w));
    }
  }
  return cmd;
}

std::string forward_address(std::string_view local, std::string_view host, const Command& cmd,
                            std::string_view target) {
  std::string box;
  if (!cmd.target_part.empty()) {
    box = cmd.target_part;
  } else {
    box = encode_target(cmd.target.empty() ? target : std::string_view(cmd.target));
  }
  std::string out(local);
  out += '-';
  out += cmd.name;
  if (!box.empty()) {
    out += '-';
    out += box;
  }
  out += '@';
  out += host;
  return out;
}

std::vector<ListEntry> parse_config(std::string_view contents) {
  std::vector<ListEntry> out;
  mta::text::for_each_line(contents, [&](std::size_t, std::string_view line) {
    line = mta::text::trim(line);
    if (line.empty() || line[0] == '#') return;
    auto c1 = line.find(':');
    if (c1 == std::string_view::npos) return;
    auto c2 = line.find(':', c1 + 1);
    ListEntry e;
    e.address = mta::address::ascii_lower(mta::text::trim(line.substr(0, c1)));
    std::string_view dir = line.substr(c1 + 1, c2 == std::string_view::npos ? std::string_view::npos : c2 - c1 - 1);
    e.dir = std::string(mta::text::trim(dir));
    if (c2 != std::string_view::npos) e.description = std::string(mta::text::trim(line.substr(c2 + 1)));
    if (e.dir.empty() || !is_target_address(e.address)) return;
    out.push_back(std::move(e));
  });
  return out;
}

}  // namespace ezmlm::request
