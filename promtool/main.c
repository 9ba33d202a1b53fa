/* promtool: the table in promtool/commands.c drives everything. */
#include "promtool/cli_table.h"

int main(int argc, char **argv)
{
	return cli_main(&promtool_app, argc, argv);
}
