/* SPDX-License-Identifier: MIT */
/*
 * svg.c - an SVG histogram, written by hand (no library).
 *
 * One panel per group (the largest DP_SVG_MAX_PANELS groups; the rest are
 * named in a note), each a column of horizontal bars laid out like
 * bpftrace's text histogram: bucket label, bar, count.  The lhist is drawn
 * when it was asked for and hist was not; otherwise the log2 hist, which
 * every group always keeps.  The header repeats the loss facts, because a
 * picture passed around alone must not hide them either.
 */
#include "output.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define DP_SVG_MAX_PANELS 16
#define ROW_H 18
#define LABEL_W 130
#define BAR_W 420
#define WIDTH (LABEL_W + BAR_W + 110)

static void svg_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", out);
		else if (*s == '>')
			fputs("&gt;", out);
		else if (*s == '&')
			fputs("&amp;", out);
		else if (*s == '"')
			fputs("&quot;", out);
		else
			fputc(*s, out);
	}
}

static int panel(FILE *out, const struct dp_report *r, const struct dp_group *g, int lin, int y)
{
	const uint64_t *c = lin ? g->lhist : g->hist;
	unsigned n = lin ? r->spec.lhist.nbuckets + 2 : DP_HIST_NBUCKETS, a = 0, b = 0;
	char key[300], label[64];
	uint64_t max = 0;

	dp_fmt_key(key, sizeof(key), g);
	fprintf(out, "<text x=\"10\" y=\"%d\" font-weight=\"bold\">@%s", y + 14,
		lin ? "lhist" : "hist");
	if (r->group_by) {
		fputs("[", out);
		svg_text(out, key);
		fputs("]", out);
	}
	fprintf(out, " (%" PRIu64 " events)</text>\n", g->count);
	y += ROW_H + 4;
	if (!dp_bucket_range(c, n, &a, &b))
		return y + ROW_H;
	for (unsigned i = a; i <= b; i++)
		max = c[i] > max ? c[i] : max;
	for (unsigned i = a; i <= b; i++, y += ROW_H) {
		int w = (int)((double)c[i] * BAR_W / (double)max);

		if (lin)
			dp_lhist_label(&r->spec.lhist, i, label, sizeof(label));
		else
			dp_hist_label(i, label, sizeof(label));
		fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_W - 6, y + 13);
		svg_text(out, label);
		fprintf(out, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
			"fill=\"#4a7ebb\"/><text x=\"%d\" y=\"%d\">%" PRIu64 "</text>\n",
			LABEL_W, y + 2, w, ROW_H - 4, LABEL_W + w + 6, y + 13, c[i]);
	}
	return y + ROW_H;
}

static int svg_header(FILE *out, const struct dp_report *r, int y)
{
	struct dp_losses l;
	char line[800];

	dp_report_losses(r, &l);
	snprintf(line, sizeof(line), "dynprobe report: event %s%s%s%s%s", r->event,
		 r->field ? ", field " : "", r->field ? r->field : "",
		 r->group_by ? ", by " : "", r->group_by ? r->group_by : "");
	fprintf(out, "<text x=\"10\" y=\"%d\" font-size=\"15\" font-weight=\"bold\">", y + 16);
	svg_text(out, line);
	fputs("</text>\n", out);
	y += 24;
	snprintf(line, sizeof(line), "events read %" PRIu64 ", matched %" PRIu64
		 "; discarded events %" PRIu64 ", discarded packets %" PRIu64
		 ", incomplete streams %" PRIu64, r->events_read, r->events_matched,
		 r->discarded_events, r->discarded_packets, l.incomplete_streams);
	fprintf(out, "<text x=\"10\" y=\"%d\">%s</text>\n", y + 14, line);
	y += ROW_H;
	for (size_t i = 0; i < l.nnotes; i++, y += ROW_H) {
		fprintf(out, "<text x=\"10\" y=\"%d\" fill=\"#b00\">WARNING: ", y + 14);
		svg_text(out, l.notes[i]);
		fputs("</text>\n", out);
	}
	return y + 8;
}

/* Rows the picture needs, so the SVG's height is right up front. */
static int svg_height(const struct dp_report *r, struct dp_group **v, size_t n, int lin)
{
	struct dp_losses l;
	int h = 24 + ROW_H + 8 + 20;

	dp_report_losses(r, &l);
	h += (int)l.nnotes * ROW_H;
	for (size_t i = 0; i < n; i++) {
		unsigned a = 0, b = 0;
		const uint64_t *c = lin ? v[i]->lhist : v[i]->hist;
		unsigned nb = lin ? r->spec.lhist.nbuckets + 2 : DP_HIST_NBUCKETS;

		h += ROW_H + 4 + ROW_H;
		if (dp_bucket_range(c, nb, &a, &b))
			h += (int)(b - a + 1) * ROW_H;
	}
	return h;
}

int dp_report_write_svg(struct dp_report *r, const char *path)
{
	int lin = (r->spec.aggs & DP_AGG_LHIST) && !(r->spec.aggs & DP_AGG_HIST);
	struct dp_group **v = NULL;
	size_t n, shown;
	FILE *out = NULL;
	int y;

	if (!(v = dp_sorted_groups(r, &n)))
		goto err;
	shown = n > DP_SVG_MAX_PANELS ? DP_SVG_MAX_PANELS : n;
	if (!(out = fopen(path, "w")))
		goto err;
	/* Sorted ascending: the largest groups are at the end. */
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
		"width=\"%d\" height=\"%d\" font-family=\"monospace\" font-size=\"12\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n", WIDTH,
		svg_height(r, v + (n - shown), shown, lin));
	y = svg_header(out, r, 4);
	for (size_t i = n - shown; i < n; i++)
		y = panel(out, r, v[i], lin, y);
	if (shown < n)
		fprintf(out, "<text x=\"10\" y=\"%d\">(%zu smaller groups not drawn)</text>\n",
			y + 14, n - shown);
	fputs("</svg>\n", out);
	if (fclose(out)) {
		out = NULL;
		goto err;
	}
	free(v);
	return 0;
err:
	snprintf(r->errmsg, sizeof(r->errmsg), "%s: %s", path, strerror(errno));
	if (out)
		fclose(out);
	free(v);
	return -1;
}
