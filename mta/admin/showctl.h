// mta/admin/showctl.h — describing an instance's configuration (qmail-showctl).
//
// render() produces qmail-showctl's report: the compiled-in settings (qmail
// home, user-ext delimiter, paternalism, spawn limit, split), the uids and
// gids of the qmail accounts, then one paragraph per known control file —
// its value(s) or "(Default.)" and what the default means — the
// morercpthosts.cdb freshness check, and "I have no idea what this file
// does." for every other file in control/. The texts are qmail-showctl's,
// so the two reports can be diffed. Known control files that qmail does not
// know (added to mta::control::known_controls() later) get a paragraph
// built from their table entry.
//
// Callers: qmail-showctl; the unit tests, on control/ directories in
// temporary folders (ids are passed in so that tests need no accounts).
#pragma once

#include <string>
#include <vector>

#include "mta/core/paths.h"

namespace mta::admin::showctl {

struct Ids {
  // alias, qmaild, qmaill, root, qmailp, qmailq, qmailr, qmails (qmail's order)
  std::vector<std::string> users;
  // nofiles, qmail
  std::vector<std::string> groups;
};

// The accounts of the instance: in a sandbox every one is the owner of the
// instance root; otherwise the system's (an account that is missing shows
// as "unknown").
Ids lookup_ids(const Home& home);

struct Report {
  std::string text;
  int exit_code = 0;  // 111 when control/ or control/me cannot be read
};

Report render(const Home& home, const Ids& ids);

}  // namespace mta::admin::showctl
