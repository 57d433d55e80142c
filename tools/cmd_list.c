/* SPDX-License-Identifier: MIT */
/*
 * cmd_list.c - `dynprobe list [PID...]`: the dynprobe providers and probes
 * in one or all running processes.
 *
 * USDT providers are found by their mappings ("/memfd:dynprobe:NAME", or a
 * deleted O_TMPFILE that carries the dynprobe magic).  The ELF is read back
 * through /proc/PID/map_files (or the matching /proc/PID/fd entry): its
 * stapsdt notes give names and locations, .probes gives argument types.
 * Live state comes from /proc/PID/mem: the provider's state word, each
 * semaphore, and each stub's first bytes (changed = a uprobe is installed).
 * LTTng providers are found by their object's file name; the exported
 * descriptor, read from the process's memory, lists the events, their
 * fields and lttng-ust's per-event enabled state.  (STATE shows "mapped":
 * an unloaded LTTng provider stays mapped and does not record.)
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <dynprobe.h>

#include "commands.h"
#include "tp.h" /* the generated LTTng providers' descriptor ABI */

#define DP_MAGIC 0x504e5944u
#define HEADER_SIZE 32

struct mapping {
	uint64_t start, end, offset, inode;
	char path[512];
};

static int read_file(int fd, uint8_t **ret, size_t *ret_len)
{
	struct stat st;
	uint8_t *buf;
	size_t off = 0;

	if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size > (64 << 20))
		return -1;
	buf = malloc((size_t)st.st_size);
	if (!buf)
		return -1;
	while (off < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + off, (size_t)st.st_size - off, (off_t)off);
		if (n <= 0) {
			free(buf);
			return -1;
		}
		off += (size_t)n;
	}
	*ret = buf;
	*ret_len = off;
	return 0;
}

/* Prefer map_files (root); else find an fd of the process with that inode. */
static int open_mapping(int pid, const struct mapping *m)
{
	char path[128];
	DIR *d;
	struct dirent *e;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, pid, m->start, m->end);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		struct stat st;
		char fdpath[300];
		snprintf(fdpath, sizeof(fdpath), "/proc/%d/fd/%s", pid, e->d_name);
		if (stat(fdpath, &st) == 0 && (uint64_t)st.st_ino == m->inode) {
			fd = open(fdpath, O_RDONLY | O_CLOEXEC);
			break;
		}
	}
	closedir(d);
	return fd;
}

static int read_mem(int memfd, uint64_t addr, void *buf, size_t len)
{
	return pread(memfd, buf, len, (off_t)addr) == (ssize_t)len ? 0 : -1;
}

struct note {
	uint64_t pc, base, sem;
	const char *provider, *name, *args;
};

static bool note_parse(const uint8_t *desc, size_t len, struct note *n)
{
	const char *s = (const char *)desc + 24;
	const char *end = (const char *)desc + len;

	if (len < 27)
		return false;
	memcpy(&n->pc, desc, 8);
	memcpy(&n->base, desc + 8, 8);
	memcpy(&n->sem, desc + 16, 8);
	n->provider = s;
	s += strnlen(s, (size_t)(end - s)) + 1;
	if (s >= end)
		return false;
	n->name = s;
	s += strnlen(s, (size_t)(end - s)) + 1;
	n->args = s < end ? s : "";
	return true;
}

static void print_types(const uint8_t *row, size_t nargs)
{
	for (size_t a = 0; a < nargs && a < DYNPROBE_MAX_ARGS; a++) {
		const char *t = dynprobe_type_name((enum dynprobe_type)row[a]);
		printf("%s%s", a ? " " : "", t ? t : "?");
	}
	if (!nargs)
		printf("-");
	printf("\n");
}

static size_t count_args(const char *args)
{
	size_t n = 0;
	for (const char *p = args; *p; p++)
		if (*p == '@')
			n++;
	return n;
}

/* Print every probe of one USDT image mapped at `base` in process pid. */
static int list_image(int pid, uint64_t base, const uint8_t *img, size_t len, int memfd)
{
	Elf *e = elf_memory((char *)img, len);
	Elf_Scn *scn = NULL;
	GElf_Shdr probes_sh = { 0 }, note_sh = { 0 };
	Elf_Data *note_data = NULL;
	size_t shstrndx, index = 0;
	uint32_t hdr[8] = { 0 };
	int shown = 0;

	if (!e || elf_getshdrstrndx(e, &shstrndx) != 0)
		goto out;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name;
		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (name && !strcmp(name, ".probes"))
			probes_sh = sh;
		else if (name && !strcmp(name, ".note.stapsdt")) {
			note_sh = sh;
			note_data = elf_getdata(scn, NULL);
		}
	}
	if (!probes_sh.sh_size || !note_data || probes_sh.sh_offset + HEADER_SIZE > len)
		goto out;
	memcpy(hdr, img + probes_sh.sh_offset, HEADER_SIZE);
	if (hdr[0] != DP_MAGIC)
		goto out;
	if (read_mem(memfd, base + probes_sh.sh_addr, hdr, HEADER_SIZE) < 0)
		hdr[1] = 0; /* unreadable: report as unloaded */
	const uint8_t *types = img + probes_sh.sh_offset + hdr[4]; /* types_off */
	if (probes_sh.sh_offset + hdr[4] + (size_t)hdr[2] * DYNPROBE_MAX_ARGS > len)
		goto out;
	size_t off = 0;
	GElf_Nhdr nh;
	size_t name_off, desc_off;
	while ((off = gelf_getnote(note_data, off, &nh, &name_off, &desc_off)) > 0) {
		struct note n;
		uint16_t sem = 0;
		uint8_t live[2] = { 0 }, orig[2] = { 0 };
		if (nh.n_type != 3 || !note_parse((const uint8_t *)note_data->d_buf + desc_off, nh.n_descsz, &n))
			continue;
		read_mem(memfd, base + n.sem, &sem, 2);
		read_mem(memfd, base + n.pc, live, 2);
		if (n.pc + 2 <= len)
			memcpy(orig, img + n.pc, 2);
		bool attached = sem || memcmp(live, orig, 2);
		printf("%-7d %-16s %-24s %-10s %-8s %-4u %-8s ", pid, n.provider, n.name,
		       hdr[3] & DYNPROBE_BACKEND_LTTNG ? "usdt+lttng" : "usdt",
		       hdr[1] ? "loaded" : "unloaded", sem, attached ? "yes" : "no");
		print_types(types + index * DYNPROBE_MAX_ARGS, count_args(n.args));
		index++;
		shown++;
	}
	(void)note_sh;
out:
	if (e)
		elf_end(e);
	return shown;
}

static bool parse_maps_line(const char *line, struct mapping *m)
{
	char perms[8], dev[16];
	int pos = 0;

	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %15s %" SCNu64 " %n",
		   &m->start, &m->end, perms, &m->offset, dev, &m->inode, &pos) < 6)
		return false;
	snprintf(m->path, sizeof(m->path), "%s", line + pos);
	m->path[strcspn(m->path, "\n")] = '\0';
	return true;
}

/* Find the exported descriptor of a generated LTTng provider in its file. */
static uint64_t lttng_desc_vaddr(const uint8_t *img, size_t len)
{
	Elf *e = elf_memory((char *)img, len);
	Elf_Scn *scn = NULL;
	uint64_t found = 0;

	while (e && !found && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM)
			continue;
		data = elf_getdata(scn, NULL);
		for (size_t i = 0; data && i < sh.sh_size / sizeof(Elf64_Sym); i++) {
			GElf_Sym sym;
			const char *name;
			if (!gelf_getsym(data, (int)i, &sym))
				continue;
			name = elf_strptr(e, sh.sh_link, sym.st_name);
			if (name && !strcmp(name, DP_TP_DESC_SYMBOL) && sym.st_shndx != SHN_UNDEF) {
				found = sym.st_value;
				break;
			}
		}
	}
	if (e)
		elf_end(e);
	return found;
}

static void read_str(int memfd, uint64_t addr, char *buf, size_t len)
{
	ssize_t n = addr ? pread(memfd, buf, len - 1, (off_t)addr) : -1;

	buf[n > 0 ? (size_t)n : 0] = '\0';
	buf[strnlen(buf, len - 1)] = '\0';
}

/* "u64 latency,str path" -> "u64:latency str:path" */
static void print_signature(const char *sig)
{
	if (!*sig) {
		printf("-\n");
		return;
	}
	for (const char *p = sig; *p; p++)
		putchar(*p == ',' ? ' ' : *p == ' ' ? ':' : *p);
	putchar('\n');
}

/* The descriptor in the process's memory gives every event's name,
 * signature and lttng-ust's own enabled state. */
static int list_lttng(int pid, const struct mapping *m, int memfd)
{
	struct dp_tp_desc desc;
	char prov[DYNPROBE_MAX_PROVIDER_NAME + 1], name[DYNPROBE_MAX_PROBE_NAME + 1], sig[1024];
	uint8_t *img = NULL;
	size_t len = 0;
	uint64_t vaddr = 0;
	int fd = open_mapping(pid, m), shown = 0;

	if (fd >= 0 && read_file(fd, &img, &len) == 0)
		vaddr = lttng_desc_vaddr(img, len);
	if (fd >= 0)
		close(fd);
	free(img);
	if (!vaddr || read_mem(memfd, m->start + vaddr, &desc, sizeof(desc)) < 0 ||
	    desc.major != DP_TP_ABI_MAJOR || desc.struct_size < sizeof(desc))
		return 0;
	read_str(memfd, (uint64_t)(uintptr_t)desc.provider, prov, sizeof(prov));
	for (uint32_t i = 0; i < desc.nevents; i++) {
		struct dp_tp_event ev;
		int state = 0;
		uint64_t at = (uint64_t)(uintptr_t)desc.events + (uint64_t)i * desc.event_size;
		if (read_mem(memfd, at, &ev, sizeof(ev)) < 0)
			break;
		read_str(memfd, (uint64_t)(uintptr_t)ev.name, name, sizeof(name));
		read_str(memfd, (uint64_t)(uintptr_t)ev.signature, sig, sizeof(sig));
		read_mem(memfd, (uint64_t)(uintptr_t)ev.state, &state, sizeof(state));
		printf("%-7d %-16s %-24s %-10s %-8s %-4s %-8s ", pid, prov, name, "lttng", "mapped",
		       "-", state ? "yes" : "no");
		print_signature(sig);
		shown++;
	}
	return shown;
}

static int list_pid(int pid)
{
	char path[64], line[1024];
	FILE *maps;
	int memfd, shown = 0;
	uint64_t seen_inode = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	maps = fopen(path, "re");
	if (!maps)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	memfd = open(path, O_RDONLY | O_CLOEXEC);
	while (fgets(line, sizeof(line), maps)) {
		struct mapping m;
		if (!parse_maps_line(line, &m) || m.offset != 0 || m.inode == seen_inode)
			continue;
		if (strstr(m.path, DP_TP_NAME_PREFIX)) {
			seen_inode = m.inode;
			shown += list_lttng(pid, &m, memfd);
			continue;
		}
		if (strncmp(m.path, "/memfd:dynprobe:", 16) && !strstr(m.path, "(deleted)"))
			continue;
		int fd = open_mapping(pid, &m);
		uint8_t *img = NULL;
		size_t len = 0;
		if (fd >= 0 && read_file(fd, &img, &len) == 0 && len > 4 && !memcmp(img, "\177ELF", 4)) {
			seen_inode = m.inode;
			shown += list_image(pid, m.start, img, len, memfd);
		}
		free(img);
		if (fd >= 0)
			close(fd);
	}
	if (memfd >= 0)
		close(memfd);
	fclose(maps);
	return shown;
}

int cmd_list(int argc, char **argv)
{
	int shown = 0;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: dynprobe list [PID...]\n\n"
		       "Lists dynprobe providers and probes in the given (default: all) processes:\n"
		       "backend, load state, USDT semaphore count, whether a tracer is attached\n"
		       "(semaphore set or stub patched by a uprobe), and argument types.\n");
		return 0;
	}
	elf_version(EV_CURRENT);
	printf("%-7s %-16s %-24s %-10s %-8s %-4s %-8s %s\n", "PID", "PROVIDER", "PROBE",
	       "BACKEND", "STATE", "SEM", "ATTACHED", "ARGS");
	if (argc > 1) {
		for (int i = 1; i < argc; i++) {
			char *end;
			long pid = strtol(argv[i], &end, 10);
			if (*end || pid <= 0) {
				fprintf(stderr, "dynprobe list: '%s' is not a PID\n", argv[i]);
				return 2;
			}
			int r = list_pid((int)pid);
			if (r < 0) {
				fprintf(stderr, "dynprobe list: no process %ld (or no access)\n", pid);
				return 1;
			}
			shown += r;
		}
		return 0;
	}
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (isdigit((unsigned char)e->d_name[0]) && atoi(e->d_name) != getpid()) {
			int r = list_pid(atoi(e->d_name));
			if (r > 0)
				shown += r;
		}
	if (d)
		closedir(d);
	return 0;
}
