/* SPDX-License-Identifier: MIT */
/*
 * svg.c - an SVG histogram, written by hand (no library).
 *
 * One panel per group (the largest DP_SVG_MAX_PANELS groups; the rest are
 * named in a note), each a column of horizontal bars laid out like
 * bpftrace's text histogram: bucket label, bar, count.  The lhist is drawn
 * when it was asked for and hist was not; otherwise the log2 hist, which
 * every group always keeps.  The header repeats the loss facts, because a
 * picture passed around alone must not hide them either; long lines are
 * wrapped at the picture's width (monospace 12 px: about 7.3 px a
 * character) instead of running off its edge.
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
#define WRAP_CHARS ((WIDTH - 20) * 10 / 73)

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
	if (r->nkeys) {
		fputs("[", out);
		svg_text(out, key);
		fputs("]", out);
	}
	fprintf(out, " (%" PRIu64 " event%s)</text>\n", g->count, g->count == 1 ? "" : "s");
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

/* Lines `text` takes when wrapped at WRAP_CHARS (at spaces when it can). */
static int wrapped_lines(const char *text, int chars)
{
	int lines = 0;
	size_t n = strlen(text);

	while (n) {
		size_t cut = n <= (size_t)chars ? n : (size_t)chars;

		if (cut < n)
			for (size_t k = cut; k > (size_t)chars / 2; k--)
				if (text[k] == ' ') {
					cut = k;
					break;
				}
		lines++;
		text += cut;
		n -= cut;
		while (*text == ' ')
			text++, n--;
	}
	return lines ? lines : 1;
}

/* One text element per wrapped line; returns the y after it. */
static int svg_wrapped(FILE *out, const char *attrs, const char *prefix, const char *text, int y,
		       int chars)
{
	char line[1024];
	size_t n;

	snprintf(line, sizeof(line), "%s%s", prefix, text);
	text = line;
	n = strlen(text);
	while (n) {
		size_t cut = n <= (size_t)chars ? n : (size_t)chars;
		char part[1024];

		if (cut < n)
			for (size_t k = cut; k > (size_t)chars / 2; k--)
				if (text[k] == ' ') {
					cut = k;
					break;
				}
		snprintf(part, sizeof(part), "%.*s", (int)cut, text);
		fprintf(out, "<text x=\"10\" y=\"%d\"%s>", y + 14, attrs);
		svg_text(out, part);
		fputs("</text>\n", out);
		y += ROW_H;
		text += cut;
		n -= cut;
		while (*text == ' ')
			text++, n--;
	}
	return y;
}

static void subtitle(const struct dp_report *r, const struct dp_losses *l, char *line, size_t len)
{
	snprintf(line, len,
		 "events read %" PRIu64 ", matched %" PRIu64 "; discarded events %" PRIu64
		 ", discarded packets %" PRIu64 ", incomplete streams %" PRIu64,
		 r->c.events_read, r->c.events_matched, r->c.discarded_events,
		 r->c.discarded_packets, l->incomplete_streams);
}

static int svg_header(FILE *out, const struct dp_report *r, int y)
{
	struct dp_losses l;
	char line[800];

	dp_report_losses(r, &l);
	snprintf(line, sizeof(line), "dynprobe report: %s %s%s%s%s%s",
		 r->pair_text ? "pair" : "event", r->pair_text ? r->pair_text : r->event,
		 r->field ? ", field " : "", r->field ? r->field : "", r->group_by ? ", by " : "",
		 r->group_by ? r->group_by : "");
	fprintf(out, "<text x=\"10\" y=\"%d\" font-size=\"15\" font-weight=\"bold\">", y + 16);
	svg_text(out, line);
	fputs("</text>\n", out);
	y += 24;
	subtitle(r, &l, line, sizeof(line));
	y = svg_wrapped(out, "", "", line, y, WRAP_CHARS);
	for (size_t i = 0; i < l.nnotes; i++)
		y = svg_wrapped(out, " fill=\"#b00\"", "WARNING: ", l.notes[i], y, WRAP_CHARS);
	return y + 8;
}

/* Rows the picture needs, so the SVG's height is right up front. */
static int svg_height(const struct dp_report *r, struct dp_group **v, size_t n, int lin)
{
	struct dp_losses l;
	char line[800], note[1024];
	int h = 24 + 8 + 20;

	dp_report_losses(r, &l);
	subtitle(r, &l, line, sizeof(line));
	h += wrapped_lines(line, WRAP_CHARS) * ROW_H;
	for (size_t i = 0; i < l.nnotes; i++) {
		snprintf(note, sizeof(note), "WARNING: %s", l.notes[i]);
		h += wrapped_lines(note, WRAP_CHARS) * ROW_H;
	}
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
	size_t n, shown, hidden, first;
	FILE *out = NULL;
	int y;

	if (!(v = dp_sorted_groups(r, &n, &hidden)))
		goto err;
	shown = n > DP_SVG_MAX_PANELS ? DP_SVG_MAX_PANELS : n;
	/* The greatest groups: last in ascending order, first in --desc. */
	first = r->cfg.descending ? 0 : n - shown;
	if (!(out = fopen(path, "w")))
		goto err;
	fprintf(
	    out,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "width=\"%d\" height=\"%d\" font-family=\"monospace\" font-size=\"12\">\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
	    WIDTH, svg_height(r, v + first, shown, lin));
	y = svg_header(out, r, 4);
	for (size_t i = first; i < first + shown; i++)
		y = panel(out, r, v[i], lin, y);
	if (shown < n || hidden)
		fprintf(out, "<text x=\"10\" y=\"%d\">(%zu smaller groups not drawn)</text>\n",
			y + 14, n - shown + hidden);
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
