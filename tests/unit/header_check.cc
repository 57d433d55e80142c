// Compiled as C++11 -pedantic -Werror: the public header works from C++.
#include <dynprobe.h>

int header_check_cxx(struct dynprobe_probe *p);
int header_check_cxx(struct dynprobe_probe *p)
{
	dynprobe_provider_opts o{};
	o.sz = sizeof o;
	int r = DYNPROBE_FIRE(p, 1, 2u, "three", 4.0, (signed char)5, 7L);
	r += DYNPROBE_FIRE(p);
	static dynprobe_site site = DYNPROBE_SITE_INIT;
	r += DYNPROBE_FIRE(&site, 1, "s");
	r += DYNPROBE_ENABLED(&site);
	r += DYNPROBE_ENABLED(p);
	return r + (int)o.sz;
}
