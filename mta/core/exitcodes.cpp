#include "mta/core/exitcodes.h"

#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

namespace mta {

// put_text - one writev, so that one line stays one write for a log reader;
// no allocation, because it also reports out-of-memory. Not <iostream>: its
// static initialiser (the locale and eight stream objects, ~50,000
// instructions) would run at every start of every program, and qmail's
// design starts a program per message.
void put_text(int fd, std::initializer_list<std::string_view> parts) {
  std::array<iovec, 8> iov{};
  std::size_t count = 0;
  for (std::string_view p : parts) {
    if (count == iov.size()) break;
    iov[count++] = iovec{const_cast<char*>(p.data()), p.size()};
  }
  iovec* next = iov.data();
  while (count > 0) {
    ssize_t n = ::writev(fd, next, static_cast<int>(count));
    if (n == -1 && errno == EINTR) continue;
    if (n <= 0) return;
    // A short write: skip what went out, resume inside the part it ended in.
    auto done = static_cast<std::size_t>(n);
    while (count > 0 && done >= next->iov_len) {
      done -= next->iov_len;
      ++next;
      --count;
    }
    if (count > 0) {
      next->iov_base = static_cast<char*>(next->iov_base) + done;
      next->iov_len -= done;
    }
  }
}

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
  put_text(2, {"panic: ", what, "\n"});
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
  put_text(2, {prog, ": warning: ", text, "\n"});
}

int run_main(const ProgramInfo& info, int argc, char** argv,
             const std::function<int(int, char**)>& body) {
  if (argc == 2 && std::string_view(argv[1]) == "--help") {
    put_text(1, {"usage: ", info.synopsis, "\n", info.summary, "\n"});
    return 0;
  }
  if (argc == 2 && std::string_view(argv[1]) == "--version") {
    put_text(1, {info.name, " (Lettershop) ", LETTERSHOP_VERSION, "\n"});
    return 0;
  }
  try {
    return body(argc, argv);
  } catch (const UsageError& e) {
    put_text(2, {info.name, ": usage: ", e.what()[0] ? std::string_view(e.what()) : info.synopsis, "\n"});
    return e.exit_code();
  } catch (const MailError& e) {
    if (e.what()[0]) {
      if (e.dsn().empty())
        put_text(2, {info.name, ": fatal: ", e.what(), "\n"});
      else
        put_text(2, {info.name, ": fatal: ", e.what(), " (#", e.dsn(), ")\n"});
    }
    return e.exit_code();
  } catch (const std::bad_alloc&) {
    put_text(2, {info.name, ": fatal: out of memory (#4.3.0)\n"});
    return exit_temp;
  } catch (const std::exception& e) {
    put_text(2, {info.name, ": fatal: ", e.what(), " (#4.3.0)\n"});
    return exit_temp;
  }
}

}  // namespace mta
