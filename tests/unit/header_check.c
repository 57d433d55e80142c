/* Compiled with -std=c99/-std=c11 -pedantic -Werror: the public header must
 * be clean in every C dialect it supports. */
#include <dynprobe.h>

int header_check_fire(struct dynprobe_probe *p);
int header_check_fire(struct dynprobe_probe *p)
{
	DYNPROBE_OPTS(dynprobe_provider_opts, o, .backends = DYNPROBE_BACKEND_USDT);
	struct dynprobe_arg a[2];
	int r = (int)o.backends;

	a[0] = dynprobe_arg_i(-1);
	a[1] = dynprobe_arg_s("x");
	r += DYNPROBE_FIRE_ARGS(p, a, 2);
	r += DYNPROBE_ENABLED(p);
#ifdef DYNPROBE_FIRE
	static struct dynprobe_site site = DYNPROBE_SITE_INIT;
	r += DYNPROBE_FIRE(&site, 1, "s");
	r += DYNPROBE_FIRE(&site);
	r += DYNPROBE_ENABLED(&site);
	r += DYNPROBE_FIRE(p);
	r += DYNPROBE_FIRE(p, 1, 2u, "three", 4.0, (signed char)5, (unsigned short)6, 7L, 8ULL,
			   9, 10, 11, 12);
#endif
	return r;
}
