// ezmlm-manage — answer subscription, information and administration
// requests sent to local-COMMAND@host (the list's manager file).
// Everything is in ezmlm/lib/manage.h.
#include "ezmlm/lib/manage.h"
#include "mta/core/exitcodes.h"

int main(int argc, char** argv) {
  return mta::run_main({"ezmlm-manage", "ezmlm-manage [-aAbBcCdDeEfFlLmMnNqQsSuUvV] dir",
                        "answer subscription and administration requests for a list"},
                       argc, argv, ezmlm::manage_main);
}
