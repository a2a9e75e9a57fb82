#include "mta/smtp/smtpd_rcptcheck.h"

#include "mta/core/cdb.h"
#include "mta/core/control.h"
#include "mta/core/dotqmail.h"
#include "mta/local/home_owner.h"
#include "mta/local/users.h"

namespace mta::smtpd {

RecipientChecker::RecipientChecker(const Home& home) : home_(home) {
  control::Control ctl(home);
  auto locals = ctl.list("locals");
  if (!locals) {
    auto me = ctl.me();
    locals = me ? std::vector<std::string>{*me} : std::vector<std::string>{};
  }
  rw_.locals = send::ConstMap::keys(*locals);
  rw_.percenthack = send::ConstMap::keys(ctl.list("percenthack").value_or(std::vector<std::string>{}));
  rw_.virtualdomains = send::ConstMap::pairs(ctl.list("virtualdomains").value_or(std::vector<std::string>{}));
  rw_.envnoathost = ctl.line_or_me("envnoathost", "envnoathost");
}

bool RecipientChecker::operator()(const std::string& address) const {
  send::Target t = send::rewrite(rw_, address);
  if (!t.local) return true;
  std::size_t at = t.address.rfind('@');
  std::string local = t.address.substr(0, at);
  if (local.empty()) return true;  // the trash address

  // qmail-lspawn: users/cdb first, then qmail-getpw's rules.
  std::optional<users::Assignment> a;
  if (auto db = cdb::Reader::open(home_.users() / "cdb"))
    a = users::lookup_cdb(local, [&](std::string_view key) { return db->find(key); });
  if (!a) {
    users::GetpwEnv env;
    env.allow_root = home_.is_sandbox();
    env.account = [&](std::string_view name) { return accounts::lookup(home_, name); };
    env.home_owner = users::home_owner;
    a = users::getpw(local, env);
  }
  if (!a) return false;  // not even an alias account: qmail-lspawn bounces

  // qmail-local: no dash means the account's own .qmail or the default delivery.
  if (a->dash.empty()) return true;
  return dotqmail::qmesearch(a->home, a->dash, a->ext).file.has_value();
}

}  // namespace mta::smtpd
