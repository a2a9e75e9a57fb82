#include "ezmlm/lib/post_header.h"

#include <algorithm>

#include "ezmlm/lib/post_subject.h"
#include "mta/core/address.h"
#include "mta/core/exitcodes.h"

namespace ezmlm::post {

namespace {

using mta::message::Field;
using mta::message::Header;

bool listed(const std::vector<std::string>& names, std::string_view name) {
  std::string lower = mta::address::ascii_lower(name);
  return std::find(names.begin(), names.end(), lower) != names.end();
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return std::string(s);
}

std::string line(std::string_view text) {
  std::string l(text);
  if (l.empty() || l.back() != '\n') l.push_back('\n');
  return l;
}

// Without a text/messages entry the message is the key; keep tests readable.
std::string text_of(const HeaderRules& r, std::string_view key, const std::vector<std::string>& args = {}) {
  if (r.message) return r.message(key, args);
  return std::string(key);
}

// '"' text '"' (appended piecewise: GCC 12 -O3 misreads the + chain).
std::string dquoted(std::string_view text) {
  std::string q;
  q.reserve(text.size() + 2);
  q.push_back('"');
  q.append(text);
  q.push_back('"');
  return q;
}

}  // namespace

std::string numbered_prefix(std::string_view prefix, unsigned long number) {
  std::string p(prefix);
  if (auto hash = p.rfind('#'); hash != std::string::npos) p.replace(hash, 1, std::to_string(number));
  return p;
}

std::string return_path_line(std::string_view sender) {
  std::string q = mta::address::quote(sender);
  std::replace(q.begin(), q.end(), '\n', '_');
  return "Return-Path: <" + q + ">\n";
}

std::string from_domain(const Header& in) {
  const Field* from = in.find("from");
  if (!from) return {};
  try {
    for (const auto& item : mta::address::parse_address_list(from->value()))
      for (const auto& m : item.members) {
        auto split = mta::address::split_at_last(m.address);
        if (split.has_at) return mta::address::ascii_lower(split.domain);
      }
  } catch (const mta::address::AddressError&) {
  }
  return {};
}

std::string rewritten_from(std::string_view from_value, const HeaderRules& rules) {
  std::string v = trim(mta::message::unfold(from_value));
  std::string name;
  // "Name" addr (no angle brackets) is common enough to handle by hand.
  if (!v.empty() && v.front() == '"') {
    auto close = v.find('"', 1);
    while (close != std::string::npos && v[close - 1] == '\\') close = v.find('"', close + 1);
    if (close != std::string::npos) name = v.substr(0, close + 1);
  }
  if (name.empty()) {
    try {
      auto items = mta::address::parse_address_list(v);
      if (!items.empty() && !items.front().members.empty()) {
        const auto& m = items.front().members.front();
        if (!m.phrase.empty() && m.angle)
          name = m.phrase;
        else if (m.comment.size() >= 2)
          name = dquoted(std::string_view(m.comment).substr(1, m.comment.size() - 2));
        else if (!m.address.empty())
          name = dquoted(mta::address::quote(m.address));
      }
    } catch (const mta::address::AddressError&) {
    }
  }
  if (name.empty()) {
    // Unparseable: keep a display name safe from quote breaking.
    std::string safe;
    for (char c : v)
      if (c != '"' && c != '\\') safe.push_back(c);
    name = "\"" + safe + "\"";
  }
  std::string via = text_of(rules, "AUTHOR_VIA_LIST", {name, rules.outlocal});
  if (via == "AUTHOR_VIA_LIST") via = name + " via " + rules.outlocal;
  return "From: " + via + " <" + rules.outlocal + "@" + rules.outhost + ">\n";
}

void check_refusals(const Header& in, const HeaderRules& r) {
  const std::string dt_value = "mailing list " + r.outlocal + "@" + r.outhost;
  for (const Field* f : in.find_all("delivered-to"))
    if (mta::address::iequals(trim(mta::message::unfold(f->value())), dt_value))
      throw mta::PermError(text_of(r, "ERR_LOOPING"), "");
  if (!r.sublist && in.has("mailing-list")) throw mta::PermError(text_of(r, "ERR_MAILING_LIST"), "");
  if (r.sublist && !in.has(r.sublist_header)) throw mta::PermError(text_of(r, "ERR_SUBLIST"), "");
}

PostHeaders build_headers(const Header& in, const HeaderRules& r) {
  const std::string list = r.outlocal + "@" + r.outhost;
  const std::string dt_value = "mailing list " + list;

  // Sanity checks first: nothing is written for a refused post.
  check_refusals(in, r);

  // Does a prefix apply? Not to sublists, not when already there.
  const Field* subject = in.find("subject");
  std::string prefix;
  if (!r.sublist && !r.prefix.empty()) {
    std::string decoded = subject ? decode_2047(subject->value()) : std::string();
    if (!has_prefix(decoded, r.prefix)) prefix = numbered_prefix(r.prefix, r.number);
  }
  const bool has_reply_to = in.has("reply-to");

  PostHeaders out;
  std::string& o = out.outgoing;
  std::string& a = out.archive;
  if (!r.mailing_list.empty()) o += "Mailing-List: " + r.mailing_list + "\n";
  if (!r.listid.empty()) o += "List-ID: " + r.listid + "\n";
  for (const auto& add : r.headeradd) o += line(add);
  a += return_path_line(r.sender);
  o += "Delivered-To: " + dt_value + "\n";
  a += "Delivered-To: " + dt_value + "\n";
  if (r.replytolist) {
    o += "Reply-To: <" + list + ">\n";
    a += "Reply-To: <" + list + ">\n";
  }

  bool seen_received = false;
  bool cc_done = false;
  std::string from_value;
  bool from_done = false;
  if (r.rewrite_from)
    if (const Field* f = in.find("from")) from_value = trim(mta::message::unfold(f->value()));
  for (const Field& f : in.fields) {
    std::string name = mta::address::ascii_lower(f.name);
    if (name == "mbox-line") continue;
    if (listed(r.headerremove, name)) continue;
    if (!r.headerkeep.empty() && !listed(r.headerkeep, name)) continue;
    if (name == "list-id" && !r.listid.empty()) continue;
    if (name == "reply-to" && r.replytolist) continue;
    if (name == "subject") continue;  // written last
    if (name == "received") {
      a += f.raw;
      if (!seen_received || r.keep_received) o += f.raw;
      seen_received = true;
      continue;
    }
    a += f.raw;
    if (name == "from" && r.rewrite_from) {
      if (!from_done) {
        from_done = true;
        o += rewritten_from(f.value(), r);
        if (!r.replytolist && !has_reply_to) o += "Reply-To: " + from_value + "\n";
      }
      continue;
    }
    if (name == "cc" && r.rewrite_from && r.replytolist && !cc_done && !from_value.empty()) {
      std::string raw = f.raw;
      while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.pop_back();
      o += raw + ",\n " + from_value + "\n";
      cc_done = true;
      continue;
    }
    o += f.raw;
  }
  if (r.rewrite_from && r.replytolist && !cc_done && !from_value.empty()) o += "Cc: " + from_value + "\n";
  if (subject && (r.headerkeep.empty() || listed(r.headerkeep, "subject")) &&
      !listed(r.headerremove, "subject")) {
    a += subject->raw;
    if (prefix.empty()) {
      o += subject->raw;
    } else {
      std::string v(subject->value());
      std::size_t lead = v.find_first_not_of(" \t");
      o += "Subject: " + prefix + " " + (lead == std::string::npos ? std::string() : v.substr(lead)) + "\n";
    }
  } else if (!prefix.empty()) {
    o += "Subject: " + prefix + "\n";
  }
  return out;
}

}  // namespace ezmlm::post
