/* promtool: the table in 8-promtool/commands.c drives everything. */
#include "8-promtool/cli_table.h"

int main(int argc, char **argv)
{
	return cli_main(&promtool_app, argc, argv);
}
