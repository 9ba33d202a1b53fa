#include "tests/unit/check.h"

struct check_state check_state_;

int check_done(void)
{
	return check_state_.failed ? 1 : 0;
}
