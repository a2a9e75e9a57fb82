// mta/admin/showctl.cpp — qmail-showctl's report.
//
// Spec notes (reference mta.md sections 13 and 15): every paragraph starts
// with an empty line and "name: ". Three renderings, after qmail's three
// control readers:
//   line   — value + "." after a prefix; absent: "(Default.) " and the
//            default, or `me` for the files that fall back to it.
//   number — prefix + value + suffix + "."; absent or not starting with a
//            digit: "(Default.) " and the compiled default.
//   list   — a newline, then one "prefix value suffix" line per entry;
//            absent: "(Default.) " and a sentence saying what that means.
// An unreadable file prints "Oops! Trouble reading this file." and the
// report goes on.
#include "mta/admin/showctl.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <optional>
#include <set>

#include "mta/core/control.h"
#include "mta/core/exitcodes.h"
#include "mta/core/io.h"
#include "mta/core/queue_layout.h"

namespace mta::admin::showctl {

namespace {

// Compiled-in settings of qmail's conf-* files that we keep.
constexpr std::string_view user_ext_delimiter = "-";
constexpr unsigned paternalism = 2;  // conf-patrn 002: qmail-local refuses world-writable files
constexpr unsigned spawn_limit = 120;

enum class Render { line, number, list };

struct Entry {
  std::string_view name;
  Render render;
  bool me_default;        // line: absent means `me` (when there is one)
  std::string_view dflt;  // line/number: the default; list: the sentence
  std::string_view pre;
  std::string_view post;
};

// qmail-showctl's paragraphs, in its order (morercpthosts is special).
constexpr std::array entries{
    Entry{"badmailfrom", Render::list, false, "Any MAIL FROM is allowed.", "", " not accepted in MAIL FROM."},
    Entry{"bouncefrom", Render::line, false, "MAILER-DAEMON", "Bounce user name is ", ""},
    Entry{"bouncehost", Render::line, true, "bouncehost", "Bounce host name is ", ""},
    Entry{"concurrencylocal", Render::number, false, "10", "Local concurrency is ", ""},
    Entry{"concurrencyremote", Render::number, false, "20", "Remote concurrency is ", ""},
    Entry{"databytes", Render::number, false, "0", "SMTP DATA limit is ", " bytes"},
    Entry{"defaultdomain", Render::line, true, "defaultdomain", "Default domain name is ", ""},
    Entry{"defaulthost", Render::line, true, "defaulthost", "Default host name is ", ""},
    Entry{"doublebouncehost", Render::line, true, "doublebouncehost", "2B recipient host: ", ""},
    Entry{"doublebounceto", Render::line, false, "postmaster", "2B recipient user: ", ""},
    Entry{"envnoathost", Render::line, true, "envnoathost", "Presumed domain name is ", ""},
    Entry{"helohost", Render::line, true, "helohost", "SMTP client HELO host name is ", ""},
    Entry{"idhost", Render::line, true, "idhost", "Message-ID host name is ", ""},
    Entry{"localiphost", Render::line, true, "localiphost", "Local IP address becomes ", ""},
    Entry{"locals", Render::list, false, "Messages for me are delivered locally.", "Messages for ",
          " are delivered locally."},
    Entry{"me", Render::line, false, "undefined! Uh-oh", "My name is ", ""},
    Entry{"percenthack", Render::list, false, "The percent hack is not allowed.",
          "The percent hack is allowed for user%host@", "."},
    Entry{"plusdomain", Render::line, true, "plusdomain", "Plus domain name is ", ""},
    Entry{"qmqpservers", Render::list, false, "No QMQP servers.", "QMQP server: ", "."},
    Entry{"queuelifetime", Render::number, false, "604800", "Message lifetime in the queue is ", " seconds"},
    Entry{"rcpthosts", Render::list, false, "SMTP clients may send messages to any recipient.",
          "SMTP clients may send messages to recipients at ", "."},
    // morercpthosts and morercpthosts.cdb come here (render_morercpthosts).
    Entry{"smtpgreeting", Render::line, true, "smtpgreeting", "SMTP greeting: 220 ", ""},
    Entry{"smtproutes", Render::list, false, "No artificial SMTP routes.", "SMTP route: ", ""},
    Entry{"timeoutconnect", Render::number, false, "60", "SMTP client connection timeout is ", " seconds"},
    Entry{"timeoutremote", Render::number, false, "1200", "SMTP client data timeout is ", " seconds"},
    Entry{"timeoutsmtpd", Render::number, false, "1200", "SMTP server data timeout is ", " seconds"},
    Entry{"virtualdomains", Render::list, false, "No virtual domains.", "Virtual domain: ", ""},
};

const Entry* find_entry(std::string_view name) {
  for (const auto& e : entries)
    if (e.name == name) return &e;
  return nullptr;
}

constexpr std::string_view oops = "Oops! Trouble reading this file.\n";

// Each renderer appends "\nname: ..." and returns what the list reader saw
// (0 absent, 1 present, -1 trouble), which morercpthosts depends on.
int render_entry(std::string& out, const fs::path& dir, const Entry& e, const std::optional<std::string>& me) {
  out += cat("\n", e.name, ": ");
  std::optional<std::string> data;
  try {
    data = io::read_file(dir / e.name);
  } catch (const MailError&) {
    out += oops;
    return -1;
  }
  switch (e.render) {
    case Render::line: {
      std::string value;
      if (data) {
        value = control::first_line(*data);
      } else {
        out += "(Default.) ";
        value = e.me_default && me ? *me : std::string(e.dflt);
      }
      out += cat(e.pre, value, ".\n");
      break;
    }
    case Render::number: {
      std::optional<unsigned long> n;
      if (data) n = control::parse_number(*data);
      if (n)
        out += cat(e.pre, std::to_string(*n), e.post, ".\n");
      else
        out += cat("(Default.) ", e.pre, e.dflt, e.post, ".\n");
      break;
    }
    case Render::list: {
      if (!data) {
        out += cat("(Default.) ", e.dflt, "\n");
        return 0;
      }
      out += "\n";
      for (const auto& v : control::parse_list(*data)) out += cat(e.pre, v, e.post, "\n");
      break;
    }
  }
  return data ? 1 : 0;
}

// morercpthosts matters only when rcpthosts exists (reference 18.5).
void render_morercpthosts(std::string& out, const fs::path& dir, int rcpthosts) {
  Entry with{"morercpthosts", Render::list, false, "No effect.", "SMTP clients may send messages to recipients at ",
             "."};
  Entry without{"morercpthosts", Render::list, false, "No rcpthosts; morercpthosts is irrelevant.",
                "No rcpthosts; doesn't matter that morercpthosts has ", "."};
  render_entry(out, dir, rcpthosts == 1 ? with : without, std::nullopt);

  // The compiled form must be at least as new as its source (qmail-newmrh).
  out += "\nmorercpthosts.cdb: ";
  struct stat src, cdb;
  bool have_src = ::stat((dir / "morercpthosts").c_str(), &src) == 0;
  bool have_cdb = ::stat((dir / "morercpthosts.cdb").c_str(), &cdb) == 0;
  if (!have_src && !have_cdb)
    out += "(Default.) No effect.\n";
  else if (!have_src)
    out += "Oops! morercpthosts.cdb exists but morercpthosts doesn't.\n";
  else if (!have_cdb)
    out += "Oops! morercpthosts exists but morercpthosts.cdb doesn't.\n";
  else if (src.st_mtime > cdb.st_mtime)
    out += "Oops! morercpthosts.cdb is older than morercpthosts.\n";
  else
    out += "Modified recently enough; hopefully up to date.\n";
}

// A known control file qmail-showctl does not know: built from its table row.
void render_known(std::string& out, const fs::path& dir, const control::Known& k, const std::optional<std::string>& me) {
  Entry e{k.name, Render::line, false, k.fallback, "", ""};
  std::string pre = cat(k.description, " ");
  e.pre = pre;
  switch (k.kind) {
    case control::Kind::number: e.render = Render::number; break;
    case control::Kind::list:
    case control::Kind::list_me:
    case control::Kind::source:
    case control::Kind::cdb:
      e.render = Render::list;
      e.dflt = "Not present.";
      e.pre = "";
      break;
    case control::Kind::line_me: e.me_default = true; break;
    case control::Kind::line: break;
  }
  render_entry(out, dir, e, me);
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

Ids lookup_ids(const Home& home) {
  Ids ids;
  if (home.is_sandbox()) {
    // Every account of a sandbox is its owner.
    struct stat st;
    std::string uid = "unknown", gid = "unknown";
    if (::stat(home.root.c_str(), &st) == 0) {
      uid = std::to_string(st.st_uid);
      gid = std::to_string(st.st_gid);
    }
    ids.users.assign(8, uid);
    ids.groups.assign(2, gid);
    return ids;
  }
  for (const char* user : {"alias", "qmaild", "qmaill", "root", "qmailp", "qmailq", "qmailr", "qmails"}) {
    struct passwd* pw = ::getpwnam(user);
    ids.users.push_back(pw ? std::to_string(pw->pw_uid) : "unknown");
  }
  for (const char* group : {"nofiles", "qmail"}) {
    struct group* gr = ::getgrnam(group);
    ids.groups.push_back(gr ? std::to_string(gr->gr_gid) : "unknown");
  }
  return ids;
}

Report render(const Home& home, const Ids& ids) {
  Report r;
  std::string& out = r.text;
  out += cat("qmail home directory: ", home.root.string(), ".\n");
  out += cat("user-ext delimiter: ", user_ext_delimiter, ".\n");
  out += cat("paternalism (in decimal): ", std::to_string(paternalism), ".\n");
  out += cat("silent concurrency limit: ", std::to_string(spawn_limit), ".\n");
  out += cat("subdirectory split: ", std::to_string(queue_split_default), ".\n");
  out += cat("user ids: ", join(ids.users), ".\n");
  out += cat("group ids: ", join(ids.groups), ".\n");

  // Sanity checks before the paragraphs, as qmail-showctl does.
  fs::path dir = home.control();
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    out += cat("Oops! Unable to open ", dir.string(), ".\n");
    r.exit_code = exit_temp;
    return r;
  }
  std::optional<std::string> me;
  try {
    if (auto data = io::read_file(dir / "me")) me = control::first_line(*data);
  } catch (const MailError&) {
    out += "Oops! Trouble reading control/me.\n";
    r.exit_code = exit_temp;
    return r;
  }

  for (const auto& e : entries) {
    int seen = render_entry(out, dir, e, me);
    if (e.name == "rcpthosts") render_morercpthosts(out, dir, seen);
  }
  for (const auto& k : control::known_controls())
    if (!find_entry(k.name) && k.name != "morercpthosts" && k.name != "morercpthosts.cdb")
      render_known(out, dir, k, me);

  // Everything else in control/, sorted so the report is stable.
  std::set<std::string> unknown;
  for (const auto& entry : it) {
    std::string name = entry.path().filename().string();
    if (find_entry(name) || control::find_known(name) || name == "morercpthosts" || name == "morercpthosts.cdb")
      continue;
    unknown.insert(name);
  }
  for (const auto& name : unknown) out += cat("\n", name, ": I have no idea what this file does.\n");
  return r;
}

}  // namespace mta::admin::showctl
