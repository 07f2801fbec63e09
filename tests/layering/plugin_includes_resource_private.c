/* Must NOT compile (tests/CMakeLists.txt, layering_*): the plugin layer sees only the
 * resource layer's include/, and cloud_ops.h is the resource layer's own. */
#include "cloud_ops.h"
int main(void) {
    return 0;
}
