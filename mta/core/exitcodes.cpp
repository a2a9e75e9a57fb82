#include "mta/core/exitcodes.h"

#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <new>

namespace mta {

bool errno_is_temporary(int err) {
  // The same set as qmail's error_temp(): resource shortages, interruptions,
  // I/O trouble and network conditions that may clear up by themselves.
  // EINPROGRESS and EPIPE are not in qmail's list; they stay because an
  // unfinished connect or a vanished peer is worth a retry too.
  switch (err) {
    case EINTR: case ENOMEM: case ETXTBSY: case EIO: case ETIMEDOUT: case EWOULDBLOCK:
    case EINPROGRESS: case ECONNREFUSED: case ECONNRESET: case ENETDOWN: case ENETUNREACH:
    case EHOSTUNREACH: case EHOSTDOWN: case ENFILE: case EMFILE: case ENOSPC: case EDQUOT:
    case ESTALE: case ENOLCK: case ENOBUFS: case EPIPE:
    case EDEADLK: case EBUSY: case EFBIG: case ENETRESET: case ECONNABORTED: case ETOOMANYREFS:
    case EUSERS:
      return true;
    default:
      return false;
  }
}

void throw_errno(std::string_view what, int err) {
  // Every file-system problem of a mail system is worth a retry: even ENOENT
  // or EACCES are usually an administrator's fix away. Callers that know
  // better throw PermError themselves.
  throw TempError(cat(what, ": ", std::strerror(err)), "4.3.0");
}

void throw_errno(std::string_view what) { throw_errno(what, errno); }

void panic(std::string_view what) {
  std::cerr << "panic: " << what << std::endl;
  std::abort();
}

ChildResult classify_child_exit(int status) {
  if (!WIFEXITED(status)) return ChildResult::temporary;  // crashed or killed
  switch (WEXITSTATUS(status)) {
    case 0: return ChildResult::ok;
    case 99: return ChildResult::stop;
    // 100 and the sysexits codes qmail-local treats as permanent.
    case 64: case 65: case 70: case 76: case 77: case 78: case 100: case 112:
      return ChildResult::permanent;
    default: return ChildResult::temporary;
  }
}

void warn(std::string_view prog, std::string_view text) {
  std::cerr << prog << ": warning: " << text << '\n';
}

int run_main(const ProgramInfo& info, int argc, char** argv,
             const std::function<int(int, char**)>& body) {
  if (argc == 2 && std::string_view(argv[1]) == "--help") {
    std::cout << "usage: " << info.synopsis << "\n" << info.summary << "\n";
    return 0;
  }
  if (argc == 2 && std::string_view(argv[1]) == "--version") {
    std::cout << info.name << " (Lettershop) " << LETTERSHOP_VERSION << "\n";
    return 0;
  }
  try {
    return body(argc, argv);
  } catch (const UsageError& e) {
    std::cerr << info.name << ": usage: " << (e.what()[0] ? e.what() : info.synopsis) << "\n";
    return e.exit_code();
  } catch (const MailError& e) {
    if (e.what()[0]) {
      std::cerr << info.name << ": fatal: " << e.what();
      if (!e.dsn().empty()) std::cerr << " (#" << e.dsn() << ")";
      std::cerr << "\n";
    }
    return e.exit_code();
  } catch (const std::bad_alloc&) {
    std::cerr << info.name << ": fatal: out of memory (#4.3.0)\n";
    return exit_temp;
  } catch (const std::exception& e) {
    std::cerr << info.name << ": fatal: " << e.what() << " (#4.3.0)\n";
    return exit_temp;
  }
}

}  // namespace mta
