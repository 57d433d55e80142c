/* SPDX-License-Identifier: MIT */
/* Sub-commands of the `dynprobe` tool; each lives in its own file. */
#ifndef DYNPROBE_TOOLS_COMMANDS_H
#define DYNPROBE_TOOLS_COMMANDS_H

int cmd_emit(int argc, char **argv);   /* cmd_emit.c */
int cmd_list(int argc, char **argv);   /* cmd_list.c */
int cmd_tp(int argc, char **argv);     /* cmd_tp.c */
int cmd_report(int argc, char **argv); /* cmd_report.c */

#endif
