/* Must NOT compile: aws/ is below provider/ and cannot see Terraform values. */
#include "tfv.h"
int main(void) {
    return 0;
}
