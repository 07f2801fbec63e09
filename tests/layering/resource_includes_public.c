/* Must compile: the control for the layering_* tests, so that they fail for the reason
 * they name (a header out of reach), not for a broken test build. The resource layer may
 * use aws/'s and provider/values' public headers and its own private ones. */
#include "cloud_ops.h"
#include "ddb.h"
#include "tfv.h"
int main(void) {
    return 0;
}
