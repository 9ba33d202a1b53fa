/*
 * Shell completion as kingpin v2.2.6 does it for promtool 2.42: the
 * answers to --completion-bash (flag names, a flag's enum values, command
 * names) and the scripts of --completion-script-bash / -zsh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "1-common/xalloc.h"
#include "8-promtool/cli_internal.h"

struct options {
	const char **v;
	size_t n, alloc;
};

static void opt_add(struct options *o, const char *s)
{
	ALLOC_GROW(o->v, o->n + 1, o->alloc);
	o->v[o->n++] = s;
}

/* The command whose flags, args and subcommands completion looks at. */
struct target {
	const struct cli_flag *flags;
	const struct cli_arg *args;
	const struct cli_cmd *subs;
	bool top; /* the application: "help" comes first */
};

/*
 * cmdMixin.CmdCompletion: values for the next unsatisfied argument (no
 * promtool argument has any), else the subcommand names.
 */
static void cmd_completion(const struct cli_ctx *c, const struct target *t, struct options *o)
{
	size_t satisfied = 0, nargs = 0, i;
	const struct cli_arg *a;
	const struct cli_cmd *cmd;

	for (i = 0; i < c->nelems; i++)
		if (c->elems[i].kind == ELEM_ARG && c->elems[i].value[0])
			satisfied++;
	for (a = t->args; a && a->name; a++)
		nargs++;
	if (satisfied < nargs)
		return;
	if (t->top)
		opt_add(o, cli_help_cmd.name);
	for (cmd = t->subs; cmd && cmd->name; cmd++)
		if (!cmd->hidden)
			opt_add(o, cmd->name);
}

/* cmdMixin.FlagCompletion; returns flag-matched and value-matched. */
static void flag_completion(struct cli_ctx *c, const struct cli_flag *flags, const char *name, const char *value,
			    struct options *o, bool *flag_match, bool *value_match)
{
	const struct cli_flag *f;

	*flag_match = *value_match = false;
	for (f = flags; f && f->name; f++) {
		if (!strcmp(f->name, name)) {
			const char *const *e;
			bool prefix = false, matched = false;
			o->n = 0;
			*flag_match = true;
			if (f->type != CLI_ENUM || !f->enums || !f->enums[0]) {
				*value_match = true;
				return;
			}
			for (e = f->enums; *e; e++) {
				opt_add(o, *e);
				if (!strcmp(value, *e))
					matched = true;
				else if (!strncmp(*e, value, strlen(value)))
					prefix = true;
			}
			*value_match = !prefix && matched;
			return;
		}
		if (!f->hidden)
			opt_add(o, cli_own(c, xasprintf("--%s", f->name)));
	}
}

/*
 * Application.completionOptions: after "--completion-bash", the last word
 * (or the one before it) decides between flag names, a flag's values and
 * command names.  Printed one per line without a final newline.
 */
int cli_complete(struct cli_ctx *c)
{
	const char *curr = "", *prev = "";
	const char *const *args = (const char *const *)c->raw;
	size_t n = c->nraw, i;
	struct target t = { c->app->flags, NULL, c->app->cmds, true };
	struct options o = { 0 };

	if (n > 1) {
		args++;
		n--;
		curr = args[n - 1];
	}
	if (n > 1)
		prev = args[n - 2];
	if (c->depth) {
		const struct cli_cmd *sel = c->path[c->depth - 1];
		t = (struct target){ sel->flags, sel->args, sel->subs, false };
	}
	if (!strncmp(curr, "--", 2) || !strncmp(prev, "--", 2)) {
		const char *name = "", *value = "";
		bool fm, vm;
		if (!strncmp(prev, "--", 2) && strncmp(curr, "--", 2)) {
			name = prev + 2;
			value = curr;
		} else if (!strncmp(curr, "--", 2)) {
			name = curr + 2;
		}
		flag_completion(c, t.flags, name, value, &o, &fm, &vm);
		if (vm) {
			o.n = 0;
			cmd_completion(c, &t, &o);
		} else if (c->depth && !fm) {
			struct options top = { 0 };
			bool tfm, tvm;
			flag_completion(c, c->app->flags, name, value, &top, &tfm, &tvm);
			if (tvm) {
				o.n = 0;
				cmd_completion(c, &t, &o);
			} else if (tfm) {
				o.n = 0;
				for (i = 0; i < top.n; i++)
					opt_add(&o, top.v[i]);
			} else {
				for (i = 0; i < top.n; i++)
					opt_add(&o, top.v[i]);
			}
			free(top.v);
		}
	} else {
		cmd_completion(c, &t, &o);
	}
	for (i = 0; i < o.n; i++)
		printf("%s%s", i ? "\n" : "", o.v[i]);
	free(o.v);
	return 0;
}

bool cli_completion_mode(const struct cli_ctx *c)
{
	size_t i;

	for (i = 0; i < c->nslots; i++)
		if (c->slots[i].flag && c->slots[i].flag->action == CLI_ACT_COMPLETION_BASH && c->slots[i].set)
			return !strcmp(c->slots[i].vals[c->slots[i].n - 1], "true");
	return false;
}

/* kingpin's BashCompletionTemplate and ZshCompletionTemplate. */
int cli_completion_script(const struct cli_ctx *c, bool zsh)
{
	const char *n = c->app_name;

	if (zsh)
		printf("\n#compdef %s\nautoload -U compinit && compinit\nautoload -U bashcompinit && bashcompinit\n\n", n);
	else
		printf("\n");
	printf("_%s_bash_autocomplete() {\n"
	       "    local cur prev opts base\n"
	       "    COMPREPLY=()\n"
	       "    cur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
	       "    opts=$( ${COMP_WORDS[0]} --completion-bash ${COMP_WORDS[@]:1:$COMP_CWORD} )\n"
	       "    COMPREPLY=( $(compgen -W \"${opts}\" -- ${cur}) )\n"
	       "    return 0\n"
	       "}\n"
	       "complete -F _%s_bash_autocomplete %s\n", n, n, n);
	if (!zsh)
		printf("\n");
	return 0;
}
