// ezmlm-unsub — remove addresses from a list's subscriber db.
//
// `ezmlm-unsub [-HmMnNvV] [-h hash] [-S subdb] [-t tag] DIR [subdir] [addr ...]`
// Matching is case-insensitive and also finds entries that older ezmlm
// versions filed in other buckets. Log lines "-manual" (or "-tag").
// Exit 0; 100 for a bad address or usage; 111 for file trouble.
// See ezmlm-unsub(1).
#include "ezmlm/lib/subunsub.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main({"ezmlm-unsub", "ezmlm-unsub [-HmMnNvV] [-h hash] [-S subdb] [-t tag] dir [subdir] [box@domain ...]",
                        "remove addresses from a mailing list's subscriber database"},
                       argc, argv, [](int argc, char** argv) { return ezmlm::subunsub_main(false, argc, argv); });
}
