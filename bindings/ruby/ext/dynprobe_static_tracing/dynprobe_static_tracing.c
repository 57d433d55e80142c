/* SPDX-License-Identifier: MIT */
/*
 * dynprobe_static_tracing.c - the native half of the Ruby binding.
 *
 * Defines the C-level parts of StaticTracing::Provider and
 * StaticTracing::Tracepoint (the Ruby files in lib/ add the registry,
 * configuration and tracers on top), the StaticTracing::Native constants and
 * the route of the library's messages into StaticTracing.logger.
 *
 * The fire path is the point of this file.  Tracepoint#fire is a C method
 * with argc/argv (no Array is built for *args); it checks the arity and the
 * Ruby class of every argument (a few compares, so errors show up in
 * development whether or not a tracer is attached), then asks the inline
 * watch-word check of dynprobe.h (DYNPROBE_ENABLED: three loads and a branch
 * when nobody listens).  Only when a tracer listens does it convert the
 * values into a struct dynprobe_arg array on the C stack and call
 * dynprobe_fire().  Nothing is allocated on either path.  A String with an
 * embedded NUL reaches the tracer up to that NUL, as a C string does (and as
 * ruby-static-tracing did): it is data, not an error.
 *
 * Messages: the library calls log_handler() from inside its own calls,
 * possibly with its locks held, so the handler only copies the text into a
 * small ring under a mutex; flush_log() hands the copies to Ruby (the
 * logger may do anything, even call back into dynprobe) once the library
 * call has returned.
 *
 * Ownership: a Tracepoint marks its Provider, so the provider (and the
 * probe handles it owns) outlives every Tracepoint made from it.
 * Provider#destroy frees the native provider early; tracepoints see
 * `owner->prov == NULL` and raise instead of touching the freed probe.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <ruby.h>
#include <dynprobe.h>

static VALUE mStaticTracing, cProvider, cTracepoint;
static ID id_library_log, id_new, id_args;

struct rprov {
	struct dynprobe_provider *prov;
};

/* Per argument: the declared type and whether nil passes (a NULL string;
 * only for the dynprobe spellings :str/:string, not for ruby-static-
 * tracing's String, which refused nil). */
struct rtp {
	VALUE provider; /* the Ruby Provider (marked) */
	struct rprov *owner;
	struct dynprobe_probe *probe;
	int nargs;
	enum dynprobe_type types[DYNPROBE_MAX_ARGS];
	unsigned char nil_ok[DYNPROBE_MAX_ARGS];
};

/* ---- messages ---- */

#define LOG_SLOTS 64
#define LOG_TEXT 1024

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	int level;
	char text[LOG_TEXT];
} log_ring[LOG_SLOTS];
static unsigned int log_first, log_count, log_dropped;

static void log_handler(int level, const char *message, void *user_data)
{
	(void)user_data;
	pthread_mutex_lock(&log_lock);
	if (log_count == LOG_SLOTS) {
		log_dropped++;
	} else {
		unsigned int i = (log_first + log_count++) % LOG_SLOTS;

		log_ring[i].level = level;
		snprintf(log_ring[i].text, LOG_TEXT, "%s", message);
	}
	pthread_mutex_unlock(&log_lock);
}

/* Pop one message; 0 when the ring is empty. */
static int log_pop(int *level, char *text)
{
	int got = 0;

	pthread_mutex_lock(&log_lock);
	if (log_count) {
		*level = log_ring[log_first].level;
		memcpy(text, log_ring[log_first].text, LOG_TEXT);
		log_first = (log_first + 1) % LOG_SLOTS;
		log_count--;
		got = 1;
	} else if (log_dropped) {
		*level = DYNPROBE_LOG_WARN;
		snprintf(text, LOG_TEXT, "%u messages dropped (more than %d in one call)",
			 log_dropped, LOG_SLOTS);
		log_dropped = 0;
		got = 1;
	}
	pthread_mutex_unlock(&log_lock);
	return got;
}

/* Hand the buffered messages to StaticTracing._library_log(level, text). */
static void flush_log(void)
{
	char text[LOG_TEXT];
	int level;

	while (log_pop(&level, text))
		rb_funcall(mStaticTracing, id_library_log, 2, INT2NUM(level), rb_str_new_cstr(text));
}

static VALUE st_flush_log(VALUE mod)
{
	flush_log();
	return Qnil;
}

/* ---- errors ---- */

static VALUE dp_error_message(int err)
{
	char buf[256];

	return rb_str_new_cstr(dynprobe_strerror(err, buf, sizeof(buf)));
}

static VALUE error_class(const char *path)
{
	return rb_path2class(path);
}

/* Raise for a negative dynprobe return code: bad names, types and counts are
 * the caller's mistake (ArgumentError); the rest are DynprobeError (a
 * USDTError) with #errno set to the (positive) code. */
static void NORETURN(dp_raise(int err, const char *what));
static void dp_raise(int err, const char *what)
{
	VALUE msg, exc;

	flush_log();
	msg = rb_sprintf("%s: %" PRIsVALUE, what, dp_error_message(err));
	switch (-err) {
	case EINVAL:
	case DYNPROBE_ENAME:
	case DYNPROBE_EARGS:
	case DYNPROBE_ETYPE:
		rb_exc_raise(rb_exc_new_str(rb_eArgError, msg));
	default:
		exc = rb_exc_new_str(error_class("StaticTracing::DynprobeError"), msg);
		rb_ivar_set(exc, rb_intern("@errno"), INT2NUM(-err));
		rb_exc_raise(exc);
	}
}

static void NORETURN(raise_base(const char *msg));
static void raise_base(const char *msg)
{
	rb_raise(error_class("StaticTracing::BaseError"), "%s", msg);
}

/* ---- Provider ---- */

static void rprov_free(void *ptr)
{
	struct rprov *p = ptr;

	dynprobe_provider_free(p->prov);
	xfree(p);
}

static size_t rprov_size(const void *ptr)
{
	return sizeof(struct rprov);
}

static const rb_data_type_t rprov_type = {
	.wrap_struct_name = "dynprobe_provider",
	.function = { .dmark = NULL, .dfree = rprov_free, .dsize = rprov_size },
	.flags = RUBY_TYPED_FREE_IMMEDIATELY,
};

static VALUE rprov_alloc(VALUE klass)
{
	struct rprov *p;

	return TypedData_Make_Struct(klass, struct rprov, &rprov_type, p);
}

static struct rprov *rprov_get(VALUE self)
{
	return rb_check_typeddata(self, &rprov_type);
}

static struct rprov *rprov_live(VALUE self)
{
	struct rprov *p = rprov_get(self);

	if (!p->prov)
		raise_base("provider has been destroyed");
	return p;
}

static const char *opt_cstr(VALUE v)
{
	return NIL_P(v) ? NULL : StringValueCStr(v);
}

/* _native_init(name, backend_mask, cache_dir, prebuilt_path, lttng_mode, usdt_dir);
 * names and paths must not contain NUL bytes (StringValueCStr refuses). */
static VALUE rprov_native_init(VALUE self, VALUE name, VALUE mask, VALUE cache_dir,
			       VALUE prebuilt, VALUE lttng_mode, VALUE usdt_dir)
{
	struct rprov *p = rprov_get(self);
	int err;

	if (p->prov)
		raise_base("provider already initialized");
	{
		DYNPROBE_OPTS(dynprobe_provider_opts, opts, .backends = NUM2UINT(mask),
			      .cache_dir = opt_cstr(cache_dir), .prebuilt_path = opt_cstr(prebuilt),
			      .lttng_mode = NUM2UINT(lttng_mode), .usdt_dir = opt_cstr(usdt_dir));
		err = dynprobe_provider_new(StringValueCStr(name), &opts, &p->prov);
	}
	RB_GC_GUARD(cache_dir);
	RB_GC_GUARD(prebuilt);
	RB_GC_GUARD(usdt_dir);
	if (err < 0)
		dp_raise(err, "cannot create provider");
	flush_log();
	return self;
}

/* _native_load -> 0 (all backends) or 1 (DYNPROBE_LOAD_PARTIAL) */
static VALUE rprov_native_load(VALUE self)
{
	int err = dynprobe_provider_load(rprov_live(self)->prov);

	if (err < 0)
		dp_raise(err, "cannot load provider");
	flush_log();
	return INT2NUM(err);
}

static VALUE rprov_native_unload(VALUE self)
{
	int err = dynprobe_provider_unload(rprov_live(self)->prov);

	if (err < 0)
		dp_raise(err, "cannot unload provider");
	flush_log();
	return Qnil;
}

static VALUE rprov_native_destroy(VALUE self)
{
	struct rprov *p = rprov_get(self);

	p->prov = dynprobe_provider_free(p->prov);
	flush_log();
	return Qnil;
}

static VALUE rprov_destroyed_p(VALUE self)
{
	return rprov_get(self)->prov ? Qfalse : Qtrue;
}

static VALUE rprov_backend_mask(VALUE self)
{
	return UINT2NUM(dynprobe_provider_backends(rprov_live(self)->prov));
}

static VALUE rprov_loaded_mask(VALUE self)
{
	struct rprov *p = rprov_get(self);

	return UINT2NUM(p->prov ? dynprobe_provider_loaded_backends(p->prov) : 0);
}

/* _backend_error(mask) -> nil or the error text */
static VALUE rprov_backend_error(VALUE self, VALUE mask)
{
	int err = dynprobe_provider_backend_error(rprov_live(self)->prov, NUM2UINT(mask));

	return err ? dp_error_message(err) : Qnil;
}

static VALUE rprov_usdt_fd(VALUE self)
{
	struct rprov *p = rprov_get(self);

	return INT2NUM(p->prov ? dynprobe_provider_usdt_fd(p->prov) : -1);
}

/* The shared file holding the USDT object, or nil (none, or private). */
static VALUE rprov_usdt_shared_path(VALUE self)
{
	struct rprov *p = rprov_get(self);
	const char *path = p->prov ? dynprobe_provider_usdt_path(p->prov) : NULL;

	return path ? rb_str_new_cstr(path) : Qnil;
}

/* ---- Tracepoint ---- */

static void rtp_mark(void *ptr)
{
	struct rtp *t = ptr;

	rb_gc_mark(t->provider);
}

static size_t rtp_size(const void *ptr)
{
	return sizeof(struct rtp);
}

static const rb_data_type_t rtp_type = {
	.wrap_struct_name = "dynprobe_tracepoint",
	.function = { .dmark = rtp_mark, .dfree = RUBY_TYPED_DEFAULT_FREE, .dsize = rtp_size },
	.flags = RUBY_TYPED_FREE_IMMEDIATELY,
};

static VALUE rtp_alloc(VALUE klass)
{
	struct rtp *t;
	VALUE obj = TypedData_Make_Struct(klass, struct rtp, &rtp_type, t);

	t->provider = Qnil;
	return obj;
}

/* Fill the types and the nil flags; the probe itself comes later. */
static long rtp_set_types(struct rtp *t, VALUE types, VALUE nil_ok)
{
	long n, i;

	Check_Type(types, T_ARRAY);
	Check_Type(nil_ok, T_ARRAY);
	n = RARRAY_LEN(types);
	if (n > DYNPROBE_MAX_ARGS)
		rb_raise(rb_eArgError, "too many arguments: %ld (at most %d)", n, DYNPROBE_MAX_ARGS);
	for (i = 0; i < n; i++) {
		t->types[i] = (enum dynprobe_type)NUM2INT(rb_ary_entry(types, i));
		t->nil_ok[i] = RTEST(rb_ary_entry(nil_ok, i));
	}
	return n;
}

/* _native_init(provider, name, [type codes], [nil ok], arg_names or nil, loglevel) */
static VALUE rtp_native_init(int argc, VALUE *argv, VALUE self)
{
	struct rtp *t = rb_check_typeddata(self, &rtp_type);
	VALUE provider, name, types, nil_ok, names, loglevel;
	const char *cnames[DYNPROBE_MAX_ARGS];
	struct rprov *p;
	long n, i;
	int err;

	rb_scan_args(argc, argv, "6", &provider, &name, &types, &nil_ok, &names, &loglevel);
	p = rprov_live(provider);
	if (t->probe)
		raise_base("tracepoint already initialized");
	n = rtp_set_types(t, types, nil_ok);
	if (!NIL_P(names)) {
		Check_Type(names, T_ARRAY);
		if (RARRAY_LEN(names) != n)
			rb_raise(rb_eArgError, "arg_names has %ld names for %ld arguments",
				 RARRAY_LEN(names), n);
		for (i = 0; i < n; i++) {
			VALUE s = rb_ary_entry(names, i);
			cnames[i] = NIL_P(s) ? NULL : StringValueCStr(s);
		}
	}
	{
		DYNPROBE_OPTS(dynprobe_probe_opts, opts, .arg_names = NIL_P(names) ? NULL : cnames,
			      .lttng_loglevel = NUM2INT(loglevel));
		err = dynprobe_probe_add(p->prov, StringValueCStr(name), t->types, (size_t)n,
					 &opts, &t->probe);
	}
	RB_GC_GUARD(names);
	if (err < 0) {
		t->probe = NULL;
		dp_raise(err, "cannot add tracepoint");
	}
	flush_log();
	t->nargs = (int)n;
	t->owner = p;
	RB_OBJ_WRITE(self, &t->provider, provider);
	return self;
}

/* _native_share(other, [nil ok]): fire the same probe as another Tracepoint
 * (the same provider and name declared again with the same types). */
static VALUE rtp_native_share(VALUE self, VALUE other, VALUE nil_ok)
{
	struct rtp *t = rb_check_typeddata(self, &rtp_type);
	struct rtp *o = rb_check_typeddata(other, &rtp_type);
	int i;

	if (t->probe)
		raise_base("tracepoint already initialized");
	if (!o->probe || !o->owner->prov)
		raise_base("the tracepoint to share is not usable");
	Check_Type(nil_ok, T_ARRAY);
	t->probe = o->probe;
	t->owner = o->owner;
	t->nargs = o->nargs;
	for (i = 0; i < o->nargs; i++) {
		t->types[i] = o->types[i];
		t->nil_ok[i] = RTEST(rb_ary_entry(nil_ok, i));
	}
	RB_OBJ_WRITE(self, &t->provider, o->provider);
	return self;
}

static struct rtp *rtp_live(VALUE self)
{
	struct rtp *t = rb_check_typeddata(self, &rtp_type);

	if (!t->probe)
		raise_base("tracepoint is not initialized");
	if (!t->owner->prov)
		raise_base("the tracepoint's provider has been destroyed");
	return t;
}

static int64_t int_min[DYNPROBE_TYPE_MAX], int_max[DYNPROBE_TYPE_MAX];

/* Tracepoint::InvalidArgumentError.new(value, declared type): the gem's
 * constructor, so code that builds or rescues it keeps working. */
static void NORETURN(arg_type_error(VALUE self, int i, VALUE v));
static void arg_type_error(VALUE self, int i, VALUE v)
{
	VALUE declared = rb_ary_entry(rb_funcall(self, id_args, 0), i);
	VALUE cls = error_class("StaticTracing::Tracepoint::InvalidArgumentError");

	rb_exc_raise(rb_funcall(cls, id_new, 4, v, declared, INT2NUM(i), self));
}

static void NORETURN(range_error(struct rtp *t, int i, VALUE v));
static void range_error(struct rtp *t, int i, VALUE v)
{
	rb_raise(rb_eRangeError, "%s:%s argument %d: %" PRIsVALUE " out of range for %s",
		 dynprobe_provider_name(t->owner->prov), dynprobe_probe_name(t->probe), i, v,
		 dynprobe_type_name(t->types[i]));
}

/* Check an Integer against an integer type: a Fixnum by compares, a Bignum
 * by the conversion that raises RangeError when it does not fit. */
static inline void check_int(struct rtp *t, int i, VALUE v)
{
	enum dynprobe_type ty = t->types[i];

	if (FIXNUM_P(v)) {
		long x = FIX2LONG(v);

		if (ty == DYNPROBE_U64 ? x < 0 : ty != DYNPROBE_I64 && (x < int_min[ty] || x > int_max[ty]))
			range_error(t, i, v);
		return;
	}
	if (ty == DYNPROBE_U64 && !RBIGNUM_NEGATIVE_P(v)) {
		(void)rb_big2ull(v);
		return;
	}
	if (ty == DYNPROBE_I64) {
		(void)rb_big2ll(v);
		return;
	}
	range_error(t, i, v);
}

/* Check one argument's Ruby class (and integer range) against its declared
 * type.  Cheap: no conversion of strings, no allocation. */
static inline void check_arg(VALUE self, struct rtp *t, int i, VALUE v)
{
	enum dynprobe_type ty = t->types[i];

	if (ty == DYNPROBE_STR) {
		if (!RB_TYPE_P(v, T_STRING) && !(NIL_P(v) && t->nil_ok[i]))
			arg_type_error(self, i, v);
	} else if (ty == DYNPROBE_DOUBLE) {
		if (!RB_FLOAT_TYPE_P(v) && !RB_INTEGER_TYPE_P(v))
			arg_type_error(self, i, v);
	} else if (RB_INTEGER_TYPE_P(v)) {
		check_int(t, i, v);
	} else {
		arg_type_error(self, i, v);
	}
}

/* A String as a C string for the tracer.  With an embedded NUL the reader
 * stops there anyway, so the buffer is passed as is; without one,
 * StringValueCStr guarantees the terminator (copying only a shared
 * substring that lacks one). */
static inline const char *str_arg(VALUE *v)
{
	const char *s = RSTRING_PTR(*v);

	if (memchr(s, 0, (size_t)RSTRING_LEN(*v)))
		return s;
	return StringValueCStr(*v);
}

/* Convert an already checked argument. */
static inline void convert_arg(struct rtp *t, int i, VALUE *v, struct dynprobe_arg *a)
{
	enum dynprobe_type ty = t->types[i];

	if (ty == DYNPROBE_STR)
		*a = dynprobe_arg_s(NIL_P(*v) ? NULL : str_arg(v));
	else if (ty == DYNPROBE_DOUBLE)
		*a = dynprobe_arg_d(NUM2DBL(*v));
	else if (FIXNUM_P(*v))
		*a = dynprobe_arg_i(FIX2LONG(*v));
	else if (ty == DYNPROBE_U64)
		*a = dynprobe_arg_u(rb_big2ull(*v));
	else
		*a = dynprobe_arg_i(rb_big2ll(*v));
}

/* fire(*args) -> true when a tracer recorded the event, else false */
static VALUE rtp_fire(int argc, VALUE *argv, VALUE self)
{
	struct rtp *t = rtp_live(self);
	struct dynprobe_arg args[DYNPROBE_MAX_ARGS];
	int i, ret;

	if (argc != t->nargs)
		rb_raise(rb_eArgError,
			 "wrong number of arguments for tracepoint %s:%s (given %d, expected %d)",
			 dynprobe_provider_name(t->owner->prov), dynprobe_probe_name(t->probe), argc,
			 t->nargs);
	for (i = 0; i < argc; i++)
		check_arg(self, t, i, argv[i]);
	if (!DYNPROBE_ENABLED(t->probe))
		return Qfalse;
	for (i = 0; i < argc; i++)
		convert_arg(t, i, &argv[i], &args[i]);
	ret = dynprobe_fire(t->probe, args, (size_t)argc);
	if (ret < 0)
		dp_raise(ret, "cannot fire tracepoint");
	return ret > 0 ? Qtrue : Qfalse;
}

static VALUE rtp_enabled_p(VALUE self)
{
	struct rtp *t = rtp_live(self);

	return DYNPROBE_ENABLED(t->probe) ? Qtrue : Qfalse;
}

/* ---- StaticTracing::Native ---- */

/* TYPES: { "u64" => code, ... } from the library's own names. */
static VALUE type_table(void)
{
	VALUE h = rb_hash_new();

	for (int ty = DYNPROBE_TYPE_NONE + 1; ty < DYNPROBE_TYPE_MAX; ty++)
		rb_hash_aset(h, rb_str_new_cstr(dynprobe_type_name((enum dynprobe_type)ty)),
			     INT2NUM(ty));
	return rb_obj_freeze(h);
}

static VALUE st_parse_type(VALUE mod, VALUE text)
{
	enum dynprobe_type ty;
	int err = dynprobe_type_parse(StringValueCStr(text), &ty);

	if (err < 0)
		dp_raise(err, "unknown type");
	return INT2NUM(ty);
}

/* parse_loglevel("info") -> DYNPROBE_LOGLEVEL_INFO; ArgumentError if unknown */
static VALUE st_parse_loglevel(VALUE mod, VALUE text)
{
	int level;

	if (dynprobe_loglevel_parse(StringValueCStr(text), &level) < 0)
		rb_raise(rb_eArgError, "unknown LTTng log level %" PRIsVALUE
			 " (emerg ... debug, as `lttng enable-event --loglevel` names them)",
			 rb_inspect(text));
	return INT2NUM(level);
}

static VALUE st_loglevel_name(VALUE mod, VALUE level)
{
	const char *s = dynprobe_loglevel_name(NUM2INT(level));

	return s ? rb_str_new_cstr(s) : Qnil;
}

static VALUE st_strerror(VALUE mod, VALUE err)
{
	return dp_error_message(NUM2INT(err));
}

static void define_native(void)
{
	VALUE m = rb_define_module_under(mStaticTracing, "Native");

	rb_define_const(m, "TYPES", type_table());
	rb_define_const(m, "BACKEND_USDT", UINT2NUM(DYNPROBE_BACKEND_USDT));
	rb_define_const(m, "BACKEND_LTTNG", UINT2NUM(DYNPROBE_BACKEND_LTTNG));
	rb_define_const(m, "LOAD_PARTIAL", INT2NUM(DYNPROBE_LOAD_PARTIAL));
	rb_define_const(m, "MAX_ARGS", INT2NUM(DYNPROBE_MAX_ARGS));
	rb_define_const(m, "LTTNG_MODE_AUTO", UINT2NUM(DYNPROBE_LTTNG_MODE_AUTO));
	rb_define_const(m, "LTTNG_MODE_RUNTIME", UINT2NUM(DYNPROBE_LTTNG_MODE_RUNTIME));
	rb_define_const(m, "LTTNG_MODE_COMPILED", UINT2NUM(DYNPROBE_LTTNG_MODE_COMPILED));
	rb_define_const(m, "LOG_WARN", INT2NUM(DYNPROBE_LOG_WARN));
	rb_define_const(m, "LOG_INFO", INT2NUM(DYNPROBE_LOG_INFO));
	rb_define_const(m, "LOG_DEBUG", INT2NUM(DYNPROBE_LOG_DEBUG));
	rb_define_const(m, "VERSION", rb_sprintf("%d.%d.%d", DYNPROBE_VERSION_MAJOR,
						 DYNPROBE_VERSION_MINOR, DYNPROBE_VERSION_PATCH));
	rb_define_module_function(m, "parse_type", st_parse_type, 1);
	rb_define_module_function(m, "parse_loglevel", st_parse_loglevel, 1);
	rb_define_module_function(m, "loglevel_name", st_loglevel_name, 1);
	rb_define_module_function(m, "strerror", st_strerror, 1);
	rb_define_module_function(m, "flush_log", st_flush_log, 0);
}

void Init_dynprobe_static_tracing(void)
{
	int_min[DYNPROBE_I8] = INT8_MIN;
	int_max[DYNPROBE_I8] = INT8_MAX;
	int_min[DYNPROBE_U8] = 0;
	int_max[DYNPROBE_U8] = UINT8_MAX;
	int_min[DYNPROBE_I16] = INT16_MIN;
	int_max[DYNPROBE_I16] = INT16_MAX;
	int_min[DYNPROBE_U16] = 0;
	int_max[DYNPROBE_U16] = UINT16_MAX;
	int_min[DYNPROBE_I32] = INT32_MIN;
	int_max[DYNPROBE_I32] = INT32_MAX;
	int_min[DYNPROBE_U32] = 0;
	int_max[DYNPROBE_U32] = UINT32_MAX;
	id_library_log = rb_intern("_library_log");
	id_new = rb_intern("new");
	id_args = rb_intern("args");

	mStaticTracing = rb_define_module("StaticTracing");
	define_native();

	cProvider = rb_define_class_under(mStaticTracing, "Provider", rb_cObject);
	rb_define_alloc_func(cProvider, rprov_alloc);
	rb_define_private_method(cProvider, "_native_init", rprov_native_init, 6);
	rb_define_private_method(cProvider, "_native_load", rprov_native_load, 0);
	rb_define_private_method(cProvider, "_native_unload", rprov_native_unload, 0);
	rb_define_private_method(cProvider, "_native_destroy", rprov_native_destroy, 0);
	rb_define_private_method(cProvider, "_backend_error", rprov_backend_error, 1);
	rb_define_method(cProvider, "destroyed?", rprov_destroyed_p, 0);
	rb_define_method(cProvider, "backend_mask", rprov_backend_mask, 0);
	rb_define_method(cProvider, "loaded_mask", rprov_loaded_mask, 0);
	rb_define_method(cProvider, "usdt_fd", rprov_usdt_fd, 0);
	rb_define_method(cProvider, "usdt_shared_path", rprov_usdt_shared_path, 0);

	cTracepoint = rb_define_class_under(mStaticTracing, "Tracepoint", rb_cObject);
	rb_define_alloc_func(cTracepoint, rtp_alloc);
	rb_define_private_method(cTracepoint, "_native_init", rtp_native_init, -1);
	rb_define_private_method(cTracepoint, "_native_share", rtp_native_share, 2);
	rb_define_method(cTracepoint, "fire", rtp_fire, -1);
	rb_define_method(cTracepoint, "enabled?", rtp_enabled_p, 0);

	/* Messages go to StaticTracing.logger from now on (see flush_log). */
	dynprobe_set_log_handler(log_handler, NULL);
}
