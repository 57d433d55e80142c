/* SPDX-License-Identifier: MIT */
/*
 * dynprobe_static_tracing.c - the native half of the Ruby binding.
 *
 * Defines the C-level parts of StaticTracing::Provider and
 * StaticTracing::Tracepoint (the Ruby files in lib/ add the registry,
 * configuration and tracers on top), plus StaticTracing.nsec.
 *
 * The fire path is the point of this file.  Tracepoint#fire is a C method
 * with argc/argv (no Array is built for *args); it checks the arity and the
 * Ruby class of every argument (a few compares, so errors show up in
 * development whether or not a tracer is attached), then asks the inline
 * watch-word check of dynprobe.h (DYNPROBE_ENABLED: two loads and a branch
 * when nobody listens).  Only when a tracer listens does it convert the
 * values into a struct dynprobe_arg array on the C stack (strings through
 * StringValueCStr: NUL-terminated, embedded NULs refused) and call
 * dynprobe_fire().  Nothing is allocated on either path.
 *
 * Ownership: a Tracepoint marks its Provider, so the provider (and the
 * probe handles it owns) outlives every Tracepoint made from it.
 * Provider#destroy frees the native provider early; tracepoints see
 * `owner->prov == NULL` and raise instead of touching the freed probe.
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>

#include <ruby.h>
#include <dynprobe.h>

static VALUE mStaticTracing, cProvider, cTracepoint, eBaseError, eDynprobeError, eInvalidArgument;

struct rprov {
	struct dynprobe_provider *prov;
};

struct rtp {
	VALUE provider;                 /* the Ruby Provider (marked) */
	struct rprov *owner;
	struct dynprobe_probe *probe;
	int nargs;
	enum dynprobe_type types[DYNPROBE_MAX_ARGS];
};

/* ---- errors ---- */

static VALUE dp_error_message(int err)
{
	char buf[256];

	return rb_str_new_cstr(dynprobe_strerror(err, buf, sizeof(buf)));
}

/* Raise for a negative dynprobe return code: bad names, types and counts are
 * the caller's mistake (ArgumentError); the rest are DynprobeError with
 * #errno set to the (positive) code. */
static void NORETURN(dp_raise(int err, const char *what));
static void dp_raise(int err, const char *what)
{
	VALUE msg = rb_sprintf("%s: %" PRIsVALUE, what, dp_error_message(err));
	VALUE exc;

	switch (-err) {
	case EINVAL:
	case DYNPROBE_ENAME:
	case DYNPROBE_EARGS:
	case DYNPROBE_ETYPE:
		rb_exc_raise(rb_exc_new_str(rb_eArgError, msg));
	default:
		exc = rb_exc_new_str(eDynprobeError, msg);
		rb_ivar_set(exc, rb_intern("@errno"), INT2NUM(-err));
		rb_exc_raise(exc);
	}
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
		rb_raise(eBaseError, "provider has been destroyed");
	return p;
}

/* _native_init(name, backend_mask) */
static VALUE rprov_native_init(VALUE self, VALUE name, VALUE mask)
{
	struct rprov *p = rprov_get(self);
	DYNPROBE_OPTS(dynprobe_provider_opts, opts, .backends = NUM2UINT(mask));
	int err;

	if (p->prov)
		rb_raise(eBaseError, "provider already initialized");
	err = dynprobe_provider_new(StringValueCStr(name), &opts, &p->prov);
	if (err < 0)
		dp_raise(err, "cannot create provider");
	return self;
}

/* _native_load -> 0 (all backends) or 1 (DYNPROBE_LOAD_PARTIAL) */
static VALUE rprov_native_load(VALUE self)
{
	int err = dynprobe_provider_load(rprov_live(self)->prov);

	if (err < 0)
		dp_raise(err, "cannot load provider");
	return INT2NUM(err);
}

static VALUE rprov_native_unload(VALUE self)
{
	int err = dynprobe_provider_unload(rprov_live(self)->prov);

	if (err < 0)
		dp_raise(err, "cannot unload provider");
	return Qnil;
}

static VALUE rprov_native_destroy(VALUE self)
{
	struct rprov *p = rprov_get(self);

	p->prov = dynprobe_provider_free(p->prov);
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
	return INT2NUM(dynprobe_provider_usdt_fd(rprov_live(self)->prov));
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

/* _native_init(provider, name, [type codes], arg_names or nil) */
static VALUE rtp_native_init(VALUE self, VALUE provider, VALUE name, VALUE types, VALUE names)
{
	struct rtp *t = rb_check_typeddata(self, &rtp_type);
	struct rprov *p = rprov_live(provider);
	const char *cnames[DYNPROBE_MAX_ARGS];
	long n, i;
	int err;

	if (t->probe)
		rb_raise(eBaseError, "tracepoint already initialized");
	Check_Type(types, T_ARRAY);
	n = RARRAY_LEN(types);
	if (n > DYNPROBE_MAX_ARGS)
		rb_raise(rb_eArgError, "too many arguments: %ld (at most %d)", n, DYNPROBE_MAX_ARGS);
	for (i = 0; i < n; i++)
		t->types[i] = (enum dynprobe_type)NUM2INT(rb_ary_entry(types, i));
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
		DYNPROBE_OPTS(dynprobe_probe_opts, opts,
			      .arg_names = NIL_P(names) ? NULL : cnames);
		err = dynprobe_probe_add(p->prov, StringValueCStr(name), t->types, (size_t)n,
					 &opts, &t->probe);
	}
	RB_GC_GUARD(names);
	if (err < 0)
		dp_raise(err, "cannot add tracepoint");
	t->nargs = (int)n;
	t->owner = p;
	RB_OBJ_WRITE(self, &t->provider, provider);
	return self;
}

static struct rtp *rtp_live(VALUE self)
{
	struct rtp *t = rb_check_typeddata(self, &rtp_type);

	if (!t->probe)
		rb_raise(eBaseError, "tracepoint is not initialized");
	if (!t->owner->prov)
		rb_raise(eBaseError, "the tracepoint's provider has been destroyed");
	return t;
}

static int64_t int_min[DYNPROBE_TYPE_MAX], int_max[DYNPROBE_TYPE_MAX];

static void NORETURN(arg_type_error(struct rtp *t, int i, VALUE v, const char *want));
static void arg_type_error(struct rtp *t, int i, VALUE v, const char *want)
{
	rb_raise(eInvalidArgument, "%s:%s argument %d: expected %s (%s), got %" PRIsVALUE,
		 dynprobe_provider_name(t->owner->prov), dynprobe_probe_name(t->probe), i,
		 want, dynprobe_type_name(t->types[i]), rb_obj_class(v));
}

/* Check one argument's Ruby class (and integer range) against its declared
 * type.  Cheap: no conversion of strings, no allocation. */
static inline void check_arg(struct rtp *t, int i, VALUE v)
{
	enum dynprobe_type ty = t->types[i];

	if (ty == DYNPROBE_STR) {
		if (!RB_TYPE_P(v, T_STRING) && !NIL_P(v))
			arg_type_error(t, i, v, "String");
	} else if (ty == DYNPROBE_DOUBLE) {
		if (!RB_FLOAT_TYPE_P(v) && !RB_INTEGER_TYPE_P(v))
			arg_type_error(t, i, v, "Float or Integer");
	} else if (FIXNUM_P(v)) {
		long x = FIX2LONG(v);

		if (ty != DYNPROBE_I64 && ty != DYNPROBE_U64 && (x < int_min[ty] || x > int_max[ty]))
			rb_raise(rb_eRangeError, "argument %d: %ld out of range for %s", i, x,
				 dynprobe_type_name(ty));
		if (ty == DYNPROBE_U64 && x < 0)
			rb_raise(rb_eRangeError, "argument %d: %ld out of range for u64", i, x);
	} else if (RB_TYPE_P(v, T_BIGNUM)) {
		/* Raises RangeError when it does not fit. */
		if (ty == DYNPROBE_U64) {
			if (RBIGNUM_NEGATIVE_P(v))
				rb_raise(rb_eRangeError, "argument %d: negative value for u64", i);
			(void)rb_big2ull(v);
		} else if (ty == DYNPROBE_I64) {
			(void)rb_big2ll(v);
		} else {
			rb_raise(rb_eRangeError, "argument %d: %" PRIsVALUE " out of range for %s",
				 i, v, dynprobe_type_name(ty));
		}
	} else {
		arg_type_error(t, i, v, "Integer");
	}
}

/* Convert an already checked argument. */
static inline void convert_arg(struct rtp *t, int i, VALUE *v, struct dynprobe_arg *a)
{
	enum dynprobe_type ty = t->types[i];

	if (ty == DYNPROBE_STR) {
		*a = dynprobe_arg_s(NIL_P(*v) ? NULL : StringValueCStr(*v));
	} else if (ty == DYNPROBE_DOUBLE) {
		*a = dynprobe_arg_d(NUM2DBL(*v));
	} else if (FIXNUM_P(*v)) {
		*a = dynprobe_arg_i(FIX2LONG(*v));
	} else if (ty == DYNPROBE_U64) {
		*a = dynprobe_arg_u(rb_big2ull(*v));
	} else {
		*a = dynprobe_arg_i(rb_big2ll(*v));
	}
}

/* fire(*args) -> true when a tracer recorded the event, else false */
static VALUE rtp_fire(int argc, VALUE *argv, VALUE self)
{
	struct rtp *t = rtp_live(self);
	struct dynprobe_arg args[DYNPROBE_MAX_ARGS];
	int i, ret;

	if (argc != t->nargs)
		rb_raise(rb_eArgError, "wrong number of arguments for tracepoint %s (given %d, expected %d)",
			 dynprobe_probe_name(t->probe), argc, t->nargs);
	for (i = 0; i < argc; i++)
		check_arg(t, i, argv[i]);
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

/* ---- module functions ---- */

static VALUE st_nsec(VALUE mod)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return LL2NUM((long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
}

/* TYPES: { "u64" => code, ... } from the library's own names. */
static VALUE type_table(void)
{
	VALUE h = rb_hash_new();

	for (int ty = DYNPROBE_TYPE_NONE + 1; ty < DYNPROBE_TYPE_MAX; ty++)
		rb_hash_aset(h, rb_str_new_cstr(dynprobe_type_name((enum dynprobe_type)ty)), INT2NUM(ty));
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

static VALUE st_strerror(VALUE mod, VALUE err)
{
	return dp_error_message(NUM2INT(err));
}

void Init_dynprobe_static_tracing(void)
{
	int_min[DYNPROBE_I8] = INT8_MIN;   int_max[DYNPROBE_I8] = INT8_MAX;
	int_min[DYNPROBE_U8] = 0;          int_max[DYNPROBE_U8] = UINT8_MAX;
	int_min[DYNPROBE_I16] = INT16_MIN; int_max[DYNPROBE_I16] = INT16_MAX;
	int_min[DYNPROBE_U16] = 0;         int_max[DYNPROBE_U16] = UINT16_MAX;
	int_min[DYNPROBE_I32] = INT32_MIN; int_max[DYNPROBE_I32] = INT32_MAX;
	int_min[DYNPROBE_U32] = 0;         int_max[DYNPROBE_U32] = UINT32_MAX;

	mStaticTracing = rb_define_module("StaticTracing");
	eBaseError = rb_define_class_under(mStaticTracing, "BaseError", rb_eStandardError);
	eDynprobeError = rb_define_class_under(mStaticTracing, "DynprobeError", eBaseError);
	rb_define_attr(eDynprobeError, "errno", 1, 0);

	rb_define_module_function(mStaticTracing, "nsec", st_nsec, 0);

	VALUE mNative = rb_define_module_under(mStaticTracing, "Native");
	rb_define_const(mNative, "TYPES", type_table());
	rb_define_const(mNative, "BACKEND_USDT", UINT2NUM(DYNPROBE_BACKEND_USDT));
	rb_define_const(mNative, "BACKEND_LTTNG", UINT2NUM(DYNPROBE_BACKEND_LTTNG));
	rb_define_const(mNative, "LOAD_PARTIAL", INT2NUM(DYNPROBE_LOAD_PARTIAL));
	rb_define_const(mNative, "MAX_ARGS", INT2NUM(DYNPROBE_MAX_ARGS));
	rb_define_module_function(mNative, "parse_type", st_parse_type, 1);
	rb_define_module_function(mNative, "strerror", st_strerror, 1);

	cProvider = rb_define_class_under(mStaticTracing, "Provider", rb_cObject);
	rb_define_alloc_func(cProvider, rprov_alloc);
	rb_define_private_method(cProvider, "_native_init", rprov_native_init, 2);
	rb_define_private_method(cProvider, "_native_load", rprov_native_load, 0);
	rb_define_private_method(cProvider, "_native_unload", rprov_native_unload, 0);
	rb_define_private_method(cProvider, "_native_destroy", rprov_native_destroy, 0);
	rb_define_private_method(cProvider, "_backend_error", rprov_backend_error, 1);
	rb_define_method(cProvider, "destroyed?", rprov_destroyed_p, 0);
	rb_define_method(cProvider, "backend_mask", rprov_backend_mask, 0);
	rb_define_method(cProvider, "loaded_mask", rprov_loaded_mask, 0);
	rb_define_method(cProvider, "usdt_fd", rprov_usdt_fd, 0);

	cTracepoint = rb_define_class_under(mStaticTracing, "Tracepoint", rb_cObject);
	rb_define_alloc_func(cTracepoint, rtp_alloc);
	/* The gem's name for a fire argument of the wrong class; a TypeError. */
	eInvalidArgument = rb_define_class_under(cTracepoint, "InvalidArgumentError", rb_eTypeError);
	rb_define_private_method(cTracepoint, "_native_init", rtp_native_init, 4);
	rb_define_method(cTracepoint, "fire", rtp_fire, -1);
	rb_define_method(cTracepoint, "enabled?", rtp_enabled_p, 0);
}
