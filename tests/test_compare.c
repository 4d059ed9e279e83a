#include "check.h"
int main(void) { return mz_check_result("test_compare"); }
