/* Must NOT compile: the plugin layer talks to the resource layer, never to AWS; tpd_aws is
 * linked PRIVATE into tpd_resource, so its headers do not reach the plugin. */
#include "ddb.h"
int main(void) {
    return 0;
}
